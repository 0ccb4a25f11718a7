"""The one near-duplicate rule for names on a register (groups, policies, consultations, events).

Two names are near-duplicates when their match keys (lower case, "&" as "and", punctuation and words like
"The", "Ltd" and "CIC" dropped) share enough trigrams: `similarity(a, b) >= NAME_MATCH_THRESHOLD` (0.6).
`similarity` is pg_trgm's own measure, written again in Python (each word padded with two spaces before and
one after, distinct trigrams, shared / (all of both − shared)), so that PostgreSQL, which answers with the
`%` operator over a GIN trigram index, and SQLite, which compares in Python, agree on every pair.
"""

import math
import re
from collections.abc import Iterable

from flask import current_app

DEFAULT_THRESHOLD = 0.6

# Words that say nothing about which group it is.
_NOISE_WORDS = {"the", "ltd", "limited", "cic", "cio", "plc", "llp", "inc", "co", "uk", "charity", "trust"}


def match_key(name: str) -> str:
    words = re.sub(r"[^a-z0-9 ]+", " ", (name or "").lower().replace("&", " and ")).split()
    key = " ".join(word for word in words if word not in _NOISE_WORDS)
    return key or " ".join(words)


def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigrams of `text`: every word (a run of letters and digits), lower-cased and padded as
    "  word ", cut into its three-character pieces, each counted once."""
    found = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity(a, b): shared trigrams over the trigrams of either."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


def threshold() -> float:
    try:
        return float(current_app.config.get("NAME_MATCH_THRESHOLD", DEFAULT_THRESHOLD))
    except RuntimeError:  # outside an app (a unit test, a script)
        return DEFAULT_THRESHOLD


def similar(key_a: str, key_b: str, at_least: float | None = None) -> bool:
    """Are these two match keys near-duplicates?"""
    return key_a == key_b or similarity(key_a, key_b) >= (threshold() if at_least is None else at_least)


class TrigramIndex:
    """Match keys in memory, found by their trigrams as a GIN index finds them: for SQLite, and for the rows
    of one import file. `add` a key with what it stands for; `near` gives the best matches first."""

    def __init__(self, entries: Iterable[tuple[str, object]] = ()):
        self._keys: list[tuple[str, frozenset[str], object]] = []
        self._by_trigram: dict[str, list[int]] = {}
        for key, value in entries:
            self.add(key, value)

    def add(self, key: str, value) -> None:
        grams = trigrams(key)
        position = len(self._keys)
        self._keys.append((key, grams, value))
        for gram in grams:
            self._by_trigram.setdefault(gram, []).append(position)

    def near(
        self, key: str, limit: int = 5, at_least: float | None = None, best: bool = True
    ) -> list[tuple[float, object]]:
        """(similarity, value) of the keys at least `at_least` (the threshold) similar to `key`: the most
        similar first, then in the order they were added; with `best=False`, the first `limit` found, which is
        quicker when many keys are alike (a file of "Group 1" to "Group 10000").

        A key that similar shares at least `at_least` of `key`'s trigrams, so it has one of the rarest
        len − that + 1 of them: only keys found under those are compared (prefix filtering)."""
        at_least = threshold() if at_least is None else at_least
        grams = trigrams(key)
        if not grams:
            return []
        needed = max(1, math.ceil(at_least * len(grams) - 1e-9))
        rarest = sorted(grams, key=lambda gram: (len(self._by_trigram.get(gram, ())), gram))
        seen: set[int] = set()
        found = []
        for gram in rarest[: len(grams) - needed + 1]:
            for position in self._by_trigram.get(gram, ()):
                if position in seen:
                    continue
                seen.add(position)
                other = self._keys[position][1]
                shared = len(grams & other)
                score = shared / (len(grams) + len(other) - shared)
                if score >= at_least:
                    found.append((-score, position))
                    if not best and len(found) >= limit:
                        return [(-s, self._keys[p][2]) for s, p in found]
        found.sort()
        return [(-score, self._keys[position][2]) for score, position in found[:limit]]


def near_names(name: str, names: Iterable[tuple[str, object]], limit: int = 5) -> list[object]:
    """The values of the `(name, value)` pairs whose names are near-duplicates of `name`, best first: for
    the short registers (policies, consultations, events) that are quicker to read than to index."""
    return [
        value
        for _score, value in TrigramIndex((match_key(n), v) for n, v in names).near(match_key(name), limit)
    ]
