"""The default mapping of census categories to the response form's monitoring codes."""

import pytest

from crm.consultations.monitoring import BY_CODE, NOT_ANSWERED, PREFER_NOT
from crm.reports.census import TABLES
from crm.reports.models import EXCLUDED
from crm.reports.service import census_tables, seed_census_tables

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


@pytest.mark.parametrize("definition", TABLES, ids=lambda table: table.code)
def test_every_category_maps_to_a_code_of_its_question_and_every_answer_is_reached(definition):
    question = BY_CODE[definition.question_code]
    mapped = {code for _, code in definition.categories}
    assert mapped <= set(question.codes) | {EXCLUDED}
    # Nobody answers the census "Prefer not to say"; every other answer has census people behind it.
    assert {code for code, _ in question.options} <= mapped
    assert PREFER_NOT not in mapped
    labels = [label.casefold() for label, _ in definition.categories]
    assert len(labels) == len(set(labels)), "a category is listed twice"


def test_ethnic_group_maps_the_nineteen_categories_and_excludes_the_five_headings():
    ts021 = dict(next(table for table in TABLES if table.code == "TS021").categories)
    assert sum(code != EXCLUDED for code in ts021.values()) == 19
    assert (
        ts021["White"] == ts021["Asian, Asian British or Asian Welsh"] == ts021["Does not apply"] == EXCLUDED
    )
    assert ts021["White: Roma"] == "white_roma"


def test_not_answered_in_the_census_is_not_answered_on_the_form():
    for table in TABLES:
        for label, code in table.categories:
            if label == "Not answered":
                assert code == NOT_ANSWERED


def test_the_template_holds_the_tables_and_seeding_again_keeps_an_admins_change():
    tables = census_tables()
    assert [table.code for table in tables] == [table.code for table in TABLES]
    religion = next(table for table in tables if table.code == "TS030")
    religion.categories[0].monitoring_code = EXCLUDED
    assert seed_census_tables() == 0
    assert religion.categories[0].monitoring_code == EXCLUDED
