"""The one near-duplicate rule (crm/core/matching.py): match keys and pg_trgm's similarity, in Python."""

import pytest

from crm.core.matching import TrigramIndex, match_key, near_names, similar, similarity, trigrams

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def test_trigrams_are_pg_trgms_words_padded_two_spaces_before_and_one_after():
    # SELECT show_trgm('a-b c1') on PostgreSQL 15
    assert trigrams("a-b c1") == {"  a", "  b", "  c", " a ", " b ", " c1", "c1 "}
    assert trigrams("Cat") == {"  c", " ca", "cat", "at "}
    assert trigrams("") == frozenset()


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [  # what SELECT similarity(a, b) answers on PostgreSQL 15
        ("wlasall deaf forum", "walsall deaf forum", 0.65217394),
        ("dudley youth panel", "dudley youth pannel", 0.85714287),
        ("walsal deaf forum", "walsall deaf forum", 0.85),
    ],
)
def test_similarity_is_pg_trgms(a, b, expected):
    assert similarity(a, b) == pytest.approx(expected, abs=1e-6)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("The Walsall Deaf Forum CIC", "walsall deaf forum"),  # "The", "CIC" and case
        ("Walsall Deaf Forum Ltd.", "WALSALL DEAF FORUM"),
        ("Walsall Deaf Forum CIO", "The Walsall Deaf Forum Limited"),
        ("Sandwell Carers & Families", "Sandwell Carers and Families"),
        ("Wlasall Deaf Forum", "Walsall Deaf Forum"),  # a typo in the first word
        ("Walsal Deaf Forum", "Walsall Deaf Forum"),
        ("Dudley Youth Panel", "Dudley Youth Pannel"),
    ],
)
def test_near_duplicates_match(a, b):
    assert similar(match_key(a), match_key(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Walsall Deaf Forum", "Walsall Disability Forum"),
        ("Walsall Deaf Forum", "Walsall Blind Forum"),
        ("Coventry Youth Panel", "Dudley Youth Panel"),
    ],
)
def test_different_names_do_not_match(a, b):
    assert not similar(match_key(a), match_key(b))


def test_the_index_finds_what_a_scan_finds_best_first():
    names = ["Walsall Deaf Forum", "Walsall Disability Forum", "Walsal Deaf Forum CIC", "Dudley Youth Panel"]
    index = TrigramIndex((match_key(name), name) for name in names)
    found = index.near(match_key("The Walsall Deaf Forum"))
    assert [name for _score, name in found] == ["Walsall Deaf Forum", "Walsal Deaf Forum CIC"]
    assert found[0][0] == 1.0
    for name in names:
        for other in names:
            in_index = other in [n for _s, n in index.near(match_key(name), limit=10)]
            assert in_index == similar(match_key(name), match_key(other))


def test_near_names_for_short_registers():
    policies = [("Evening bus network", 1), ("Library opening hours", 2)]
    assert near_names("evening buss network", policies) == [1]
    assert near_names("swimming pools", policies) == []


def test_the_index_gives_what_comparing_every_key_gives():
    """Prefix filtering (only keys sharing one of a key's rarest trigrams are compared) loses nothing."""
    import random

    rng = random.Random(13)
    words = ["walsall", "deaf", "forum", "dudley", "youth", "panel", "carers", "tenants", "wlasall", "forums"]
    keys = [" ".join(rng.sample(words, rng.randint(1, 4))) for _ in range(300)]
    index = TrigramIndex((key, number) for number, key in enumerate(keys))
    for query in keys[:60]:
        everything = sorted(
            (
                (-similarity(query, key), number)
                for number, key in enumerate(keys)
                if similarity(query, key) >= 0.6
            )
        )
        assert [number for _score, number in index.near(query, limit=1000)] == [n for _s, n in everything]
