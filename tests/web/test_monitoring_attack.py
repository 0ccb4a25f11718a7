"""The attacker through the real pages, on both databases: seeded random consultations of a few people, each
monitoring table read off the page as an equality lead sees it, then every completion consistent with what
is shown (sets of reachable sums, so it is exact): each hidden count keeps two or more possible values, and
every shown figure is the true one. The two related questions are attacked together through the cell they
share ("No" long-term condition is "Not asked" about activity)."""

import random

import pytest

from crm.consultations import monitoring, monitoring_store
from tests.consultation_factories import make_consultation, respond

THRESHOLD = 5
LINKED = (("long_term_condition", "No"), ("disability_activity", "Not asked (no long-term condition)"))


def _tables(page) -> dict[str, dict[str, str]]:
    return {
        table.caption.text.strip(): {
            row.th.text: row.select("td")[0].text for row in table.select("tbody tr")
        }
        for table in page.select("table")
    }


def _domain(text: str, cap: int) -> set[int]:
    if text == f"fewer than {THRESHOLD}":
        return set(range(THRESHOLD))
    if text == "hidden":
        return set(range(THRESHOLD, cap + 1))
    return {int(text.replace(",", ""))}


def _possible(cells: dict[str, str], cap: int, fixed: dict[str, int] | None = None) -> dict[str, set[int]]:
    """Every value each cell (and "Total") can take, given only the shown figures (and any `fixed` cell)."""
    domains = {label: _domain(text, cap) for label, text in cells.items()}
    for label, value in (fixed or {}).items():
        domains[label] = domains[label] & {value}
    totals = domains.pop("Total")
    labels = list(domains)
    found: dict[str, set[int]] = {label: set() for label in [*labels, "Total"]}
    for index, label in enumerate(labels):
        sums = {0}
        for other in labels[:index] + labels[index + 1 :]:
            sums = {s + v for s in sums for v in domains[other] if s + v <= cap}
        for value in domains[label]:
            if any(value + s in totals for s in sums):
                found[label].add(value)
    sums = {0}
    for label in labels:
        sums = {s + v for s in sums for v in domains[label] if s + v <= cap}
    found["Total"] = sums & totals
    return found


def _random_answers(rng: random.Random) -> dict[str, str]:
    given = {}
    for question in monitoring.QUESTIONS:
        if question.derived or question.switch:
            continue
        codes = [code for code, _ in question.choices] + [""]
        given[question.code] = rng.choice(codes[:3] if rng.random() < 0.7 else codes)  # a few big cells
    return given


@pytest.mark.parametrize("seed", range(6))
def test_no_figure_on_the_page_pins_anyone(client, sign_in_as, seed):
    rng = random.Random(seed)
    consultation = make_consultation()
    people = rng.choice([10, 15, 20, 25])
    for _ in range(people):
        respond(consultation, monitoring_answers=_random_answers(rng))
    true = monitoring_store.counts(consultation.id)
    sign_in_as("equality_lead")
    tables = _tables(client.page(f"/staff/consultations/{consultation.id}/monitoring"))
    by_code = {question.text: question for question in monitoring.QUESTIONS}
    shown_somewhere = False
    for caption, cells in tables.items():
        question = by_code[caption]
        counts = {question.label(code): count for code, count in true.get(question.code, {}).items()}
        for label, text in cells.items():
            if text not in (f"fewer than {THRESHOLD}", "hidden"):
                expected = people if label == "Total" else counts.get(label, 0)
                assert int(text.replace(",", "")) == expected, (caption, label)  # shown figures are true
                shown_somewhere = True
        if question.code in ("long_term_condition", "disability_activity"):
            continue
        for label, values in _possible(cells, people).items():
            if cells[label] in (f"fewer than {THRESHOLD}", "hidden"):
                assert len(values) >= 2, f"{caption}: {label} is exactly {values}"
    assert shown_somewhere
    condition, activity = (
        tables.get(monitoring.BY_CODE[code].text) for code in ("long_term_condition", "disability_activity")
    )
    if condition and activity:
        (_, linked_c), (_, linked_a) = LINKED
        shared = _possible(condition, people)[linked_c] & _possible(activity, people)[linked_a]
        joint: dict[str, set[int]] = {}
        for value in shared:
            for table, label in ((condition, linked_c), (activity, linked_a)):
                for other, values in _possible(table, people, {label: value}).items():
                    joint.setdefault((id(table), other), set()).update(values)
        for table in (condition, activity):
            for label, text in table.items():
                if text in (f"fewer than {THRESHOLD}", "hidden"):
                    assert len(joint[(id(table), label)]) >= 2, f"{label} is pinned by the related question"
