import pytest

from crm.core.text import agrees, plural, sentence

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def test_a_sentence_gets_one_full_stop_whatever_the_text_ends_with():
    assert sentence("Added Walsall Deaf Forum") == "Added Walsall Deaf Forum."
    assert sentence("Added Walsall Tenants Ltd.") == "Added Walsall Tenants Ltd."
    assert sentence("Is it late?") == "Is it late?" and sentence("Yes!  ") == "Yes!"


def test_counts_and_verbs_agree():
    assert plural(1, "item") == "1 item" and plural(0, "item") == "0 items"
    assert plural(1200, "group") == "1,200 groups" and plural(2, "policy", "policies") == "2 policies"
    assert agrees(1, "matches", "match") == "matches" and agrees(3, "matches", "match") == "match"
