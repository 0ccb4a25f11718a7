"""Disclosure control through the real monitoring page and its exports: minimum n, residual sums, related
questions, and withdrawn or spam responses counted nowhere."""

import csv
import io
import itertools

from openpyxl import load_workbook

from tests.consultation_factories import make_consultation, respond


def _tables(page) -> dict[str, dict[str, str]]:
    return {
        table.caption.text.strip(): {
            row.th.text: row.select("td")[0].text for row in table.select("tbody tr")
        }
        for table in page.select("table")
    }


def _table(page, words: str) -> dict[str, str]:
    return next(cells for caption, cells in _tables(page).items() if words in caption)


def _possible(cells: dict[str, str], threshold: int = 5) -> dict[str, set[int]]:
    """The attacker: every completion of the shown figures; "fewer than 5" is 0 to 4, "hidden" 5 or more."""
    total = int(cells.pop("Total").replace(",", ""))
    domains = {
        label: (
            range(threshold)
            if text == "fewer than 5"
            else range(threshold, total + 1)
            if text == "hidden"
            else range(int(text.replace(",", "")), int(text.replace(",", "")) + 1)
        )
        for label, text in cells.items()
    }
    found = {label: set() for label in cells}
    labels = list(domains)
    for values in itertools.product(*(domains[label] for label in labels)):
        if sum(values) == total:
            for label, value in zip(labels, values, strict=True):
                found[label].add(value)
    return found


def test_the_residual_sum_of_the_issue_cannot_be_worked_out_from_the_page(client, sign_in_as):
    consultation = make_consultation()
    answers = ["straight"] * 6 + ["gay_lesbian", "bisexual"] + ["straight"] * 7
    for answer in answers:
        respond(consultation, monitoring_answers={"sexual_orientation": answer})
    sign_in_as("equality_lead")
    page = client.page(f"/staff/consultations/{consultation.id}/monitoring")
    cells = _table(page, "sexual orientation")
    assert cells["Straight or heterosexual"] == "13" and cells["Total"] == "15"
    for label, values in _possible(cells).items():
        if label != "Straight or heterosexual":
            assert len(values) >= 2, f"{label} is exactly {values}"


def test_related_questions_hide_together(client, sign_in_as):
    consultation = make_consultation()
    for number in range(15):
        condition = "no" if number < 11 else "yes"
        given = {"long_term_condition": condition}
        if condition == "yes":
            given["disability_activity"] = "yes_a_lot"
        respond(consultation, monitoring_answers=given)
    sign_in_as("admin")
    page = client.page(f"/staff/consultations/{consultation.id}/monitoring")
    condition = _table(page, "physical or mental health conditions")
    activity = _table(page, "day-to-day activities")
    assert condition["No"] == activity["Not asked (no long-term condition)"]
    assert not any(
        "Disabled under" in caption for caption in _tables(page)
    )  # its figures are sums of hidden ones
    assert "it is worked out from the questions above" in page.text


def test_spam_and_withdrawn_responses_leave_the_figures_k_at_a_time(client, sign_in_as):
    """Taking one response out of the figures at once would show its answers as the difference."""
    consultation = make_consultation()
    responses = [respond(consultation, monitoring_answers={"sex": "female"}) for _ in range(15)]
    sign_in_as("admin")
    url = f"/staff/consultations/{consultation.id}"

    def mark(response, status):
        page = f"{url}/responses/{response.id}"
        assert client.submit(f"{page}/status", {"status": status}, form_page=page).status_code == 302

    assert _table(client.page(f"{url}/monitoring"), "your sex")["Total"] == "15"
    for response, status in zip(responses[:4], ["withdrawn", "spam", "spam", "spam"], strict=True):
        mark(response, status)
    page = client.page(f"{url}/monitoring")
    assert _table(page, "your sex")["Total"] == "15"
    assert "4 responses are waiting to be taken out" in page.text
    mark(responses[3], "accepted")  # restored before its batch: never left out
    mark(responses[4], "spam")
    mark(responses[5], "spam")  # the fifth of the batch
    sex = _table(client.page(f"{url}/monitoring"), "your sex")
    assert sex["Total"] == "10" and sex["Female"] == "10"
    mark(responses[0], "accepted")  # restored after: it stays out, or the change would show its answers
    page = client.page(f"{url}/monitoring")
    assert _table(page, "your sex")["Total"] == "10"
    assert "waiting to be taken out" not in page.text


def test_the_exports_hold_the_page_figures_and_no_more(client, sign_in_as):
    consultation = make_consultation()
    for number in range(15):
        respond(consultation, monitoring_answers={"sex": "female" if number < 12 else "male"})
    sign_in_as("equality_lead")
    url = f"/staff/consultations/{consultation.id}/monitoring"
    text = client.get(f"{url}.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = {(row[0], row[1]): row[2] for row in csv.reader(io.StringIO(text))}
    assert rows[("What is your sex?", "Male")] == "fewer than 5"
    assert rows[("What is your sex?", "Female")] == "12" and rows[("What is your sex?", "Total")] == "15"
    sheet = load_workbook(io.BytesIO(client.get(f"{url}.xlsx").data)).active
    values = {(row[0], row[1]): row[2] for row in sheet.iter_rows(values_only=True)}
    assert values[("What is your sex?", "Male")] == "fewer than 5"
    few = make_consultation()
    respond(few, monitoring_answers={"religion": "sikh"})
    text = client.get(f"/staff/consultations/{few.id}/monitoring.csv").get_data(as_text=True)
    assert "Sikh" not in text and "fewer than 10 people" in text


def test_a_threshold_of_0_or_1000_stops_the_app_with_a_clear_message():
    import pytest

    from crm import create_app
    from crm.core.suppression import SuppressionSettingsError

    for threshold in (0, 1000):
        with pytest.raises(SuppressionSettingsError, match="from 2 to 100"):
            create_app("test", SUPPRESSION_THRESHOLD=threshold)
