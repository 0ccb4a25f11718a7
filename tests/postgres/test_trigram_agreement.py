"""The matcher's Python similarity is pg_trgm's: on random variants of group names both give the same figure
and the same verdict at the threshold, so SQLite and PostgreSQL find the same near-duplicates."""

import random

import pytest
from sqlalchemy import text

from crm.core.matching import DEFAULT_THRESHOLD, match_key, similarity
from crm.extensions import db

WORDS = [
    "Walsall",
    "Deaf",
    "Forum",
    "Dudley",
    "Youth",
    "Panel",
    "Somali",
    "Women's",
    "Carers",
    "Tenants",
    "Association",
    "Sandwell",
    "Allotment",
    "Society",
    "Ltd",
    "CIC",
    "The",
    "&",
    "Network",
    "Tipton",
]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    i = rng.randrange(len(word) - 1)
    return rng.choice(
        [word[:i] + word[i + 1 :], word[:i] + word[i + 1] + word[i] + word[i + 2 :], word + "s"]
    )


def _pairs(count: int) -> list[tuple[str, str]]:
    rng = random.Random(13)
    pairs = []
    for _ in range(count):
        name = " ".join(rng.sample(WORDS, rng.randint(2, 5)))
        variant = " ".join(_typo(word, rng) if rng.random() < 0.3 else word.upper() for word in name.split())
        pairs.append((match_key(name), match_key(variant)))
    return pairs


@pytest.mark.usefixtures("app")
def test_python_and_pg_trgm_agree_on_similarity():
    pairs = _pairs(400)
    figures = (
        db.session.execute(
            text("SELECT similarity(a, b) FROM unnest(CAST(:a AS text[]), CAST(:b AS text[])) AS p(a, b)"),
            {"a": [a for a, _ in pairs], "b": [b for _, b in pairs]},
        )
        .scalars()
        .all()
    )
    for (a, b), figure in zip(pairs, figures, strict=True):
        assert similarity(a, b) == pytest.approx(figure, abs=1e-6), (a, b)
        assert (similarity(a, b) >= DEFAULT_THRESHOLD) == (figure >= DEFAULT_THRESHOLD - 1e-6), (a, b)
