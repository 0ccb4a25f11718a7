"""Only uploads may be large: every other form stops at FORM_MAX_BYTES with the service's "too large" page."""

import io

from tests.consultation_factories import form_data, make_consultation


def _big_multipart(client, url, app, size, **fields):
    body = io.BytesIO(b"x" * size)
    return client.post(url, data={**fields, "file": (body, "big.csv")}, content_type="multipart/form-data")


def test_a_staff_form_sent_more_than_the_form_limit_gets_the_too_large_page(app, client, sign_in_as):
    sign_in_as("engagement_officer")
    token = client.csrf_token("/staff/groups/new")
    response = _big_multipart(
        client, "/staff/groups/new", app, app.config["FORM_MAX_BYTES"] + 1, csrf_token=token
    )
    assert response.status_code == 413
    assert "The file or form you sent is too large" in response.get_data(as_text=True)


def test_the_public_response_form_has_the_form_limit_too(app, client):
    consultation = make_consultation()
    url = f"/consultations/{consultation.slug}/respond"
    data = form_data(consultation)
    data["csrf_token"] = client.csrf_token(url)
    response = _big_multipart(client, url, app, app.config["FORM_MAX_BYTES"] + 1, **data)
    assert response.status_code == 413


def test_the_group_import_still_takes_a_file_larger_than_the_form_limit(app, client, sign_in_as):
    sign_in_as("engagement_officer")
    token = client.csrf_token("/staff/groups/import")
    content = b"name,kind\n" + b"Big Group,vcse\n" * (app.config["FORM_MAX_BYTES"] // 15 + 10)
    response = client.post(
        "/staff/groups/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code != 413
