"""The one near-duplicate matcher where groups are added: the group form and the import check, on both
databases (issue 13: a typo in the first word, "The … CIC", case)."""

import io

import pytest

from crm.core import audit
from crm.extensions import db
from crm.groups.matching import near_register_names, similar_groups
from crm.groups.service import set_archived
from tests.factories import make_group
from tests.web.test_groups import GROUP_FORM

HEADER = "id,name,kind,areas,characteristics,email,contact_name,contact_email\n"


@pytest.mark.parametrize(
    "typed",
    ["The Walsall Deaf Forum CIC", "WALSALL DEAF FORUM LTD", "Wlasall Deaf Forum", "walsall deaf forum"],
)
def test_the_register_finds_near_duplicates(app, typed):
    group = make_group("Walsall Deaf Forum")
    make_group("Walsall Disability Forum")
    make_group("Dudley Youth Panel")
    db.session.commit()
    assert [g.id for g in similar_groups(typed)] == [group.id]


def test_archived_groups_are_not_near_duplicates_and_the_best_comes_first(app):
    old = make_group("Walsall Deaf Forum")
    set_archived(audit.SYSTEM, old, True)
    close = make_group("Walsall Deaf Forum Group")
    closest = make_group("The Walsall Deaf Forum Ltd")
    db.session.commit()
    assert [g.id for g in similar_groups("Walsal Deaf Forum")] == [closest.id, close.id]
    assert near_register_names(["walsall deaf forum", "dudley youth panel"]) == {
        "walsall deaf forum": "The Walsall Deaf Forum Ltd"
    }


def test_the_group_form_warns_of_a_near_duplicate(client, sign_in_as):
    make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    response = client.submit("/staff/groups/new", {**GROUP_FORM, "name": "The Wlasall Deaf Forum CIC"})
    text = response.get_data(as_text=True)
    assert (
        response.status_code == 200 and "A group with a very similar name is already on the register" in text
    )
    assert "Walsall Deaf Forum" in text


def test_the_import_check_warns_of_near_duplicates_on_the_register_and_in_the_file(client, sign_in_as):
    make_group("Walsall Deaf Forum")
    sign_in_as("engagement_officer")
    rows = [
        ",The Wlasall Deaf Forum CIC,vcse,,,,,",
        ",Dudley Youth Panel,vcse,,,,,",
        ",Dudley Youth Pannel,vcse,,,,,",
    ]
    content = (HEADER + "\n".join(rows) + "\n").encode()
    response = client.submit(
        "/staff/groups/import",
        {"file": (io.BytesIO(content), "groups.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    warnings = [li.text for li in client.page(response.location).select("main ul.govuk-list--bullet li")]
    assert warnings == [
        "Row 2: Looks like the existing group ‘Walsall Deaf Forum’. "
        "Use its id to update it instead of adding another",
        "Row 4: Looks like ‘Dudley Youth Panel’ in row 3. Check they are different groups",
    ]


def test_the_import_check_lists_the_first_thousand_rows_to_check_and_says_how_many_there_are(
    client, sign_in_as
):
    sign_in_as("engagement_officer")
    # Each name looks like the one before it: 1,199 rows to check.
    rows = [f",Walsall Community Group {n:04d},vcse,,,,," for n in range(1200)]
    content = (HEADER + "\n".join(rows) + "\n").encode()
    response = client.submit(
        "/staff/groups/import",
        {"file": (io.BytesIO(content), "groups.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = client.page(response.location)
    assert len(page.select("main ul.govuk-list--bullet li")) == 1000
    assert "The first 1,000 of 1,199 rows to check are shown." in page.get_text()
