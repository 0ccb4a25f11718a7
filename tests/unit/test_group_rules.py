import pytest

from crm.groups.matching import match_key, similar
from crm.groups.schemas import GroupRowSchema, load_row

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Walsall Deaf Forum CIC", "walsall deaf forum"),
        ("Walsall Deaf Forum Ltd.", "WALSALL DEAF FORUM"),
        ("Sandwell Carers & Families", "Sandwell Carers and Families"),
        ("Dudley Youth Panel", "Dudley Youth Pannel"),  # a typo is still close
    ],
)
def test_near_duplicate_names_match(a, b):
    assert similar(match_key(a), match_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Walsall Deaf Forum", "Walsall Disability Forum"),
        ("Coventry Youth Panel", "Dudley Youth Panel"),
    ],
)
def test_different_groups_do_not_match(a, b):
    assert not similar(match_key(a), match_key(b))


def test_match_key_keeps_a_name_made_only_of_noise_words():
    assert match_key("The Trust") == "the trust"


def _schema():
    return GroupRowSchema(areas={"walsall": 1, "dudley": 2}, characteristics={"disability": 9})


def test_a_good_row_loads_with_names_matched_case_insensitively():
    values, errors = load_row(
        _schema(),
        {
            "name": "A Group",
            "kind": "Faith organisation",
            "areas": "WALSALL; dudley",
            "characteristics": "Disability",
            "access_needs": "bsl; Easy read",
        },
    )
    assert errors == {}
    assert values["kind"] == "faith" and values["area_ids"] == [1, 2] and values["characteristic_ids"] == [9]
    assert values["access_needs"] == ["bsl", "easy_read"] and values["status"] == "active"


def test_a_row_the_export_neutralised_loads_as_the_group_really_is():
    values, errors = load_row(
        _schema(), {"name": "'=Group", "kind": "vcse", "description": "'+44 121", "phone": "'quoted'"}
    )
    assert errors == {}
    assert values["name"] == "=Group" and values["description"] == "+44 121"
    assert values["phone"] == "'quoted'"  # an apostrophe the export did not add stays


def test_a_bad_row_reports_every_column_at_once():
    values, errors = load_row(
        _schema(),
        {
            "name": "",
            "kind": "club",
            "areas": "Narnia",
            "characteristics": "Left-handedness",
            "email": "not-an-email",
            "status": "asleep",
            "contact_consent": "yes",
            "contact_name": "Pat",
        },
    )
    assert values is None
    assert errors["name"] == ["Enter the name"]
    assert "Kind must be one of" in errors["kind"][0]
    assert errors["areas"] == ["Unknown areas: Narnia"]
    assert errors["characteristics"] == ["Unknown characteristics: Left-handedness"]
    assert "Status must be one of" in errors["status"][0]


def test_consent_in_a_row_needs_its_date_method_and_wording():
    values, errors = load_row(
        _schema(), {"name": "G", "kind": "vcse", "contact_name": "Pat", "contact_consent": "yes"}
    )
    assert set(errors) == {"contact_consent_date", "contact_consent_method", "contact_consent_wording"}


def test_over_long_cells_and_control_characters_are_refused():
    values, errors = load_row(_schema(), {"name": "x" * 201, "kind": "vcse", "description": "bad\x07bell"})
    assert errors["name"] == ["Name must be 200 characters or fewer"]
    assert errors["description"] == ["Description must not contain control characters"]
