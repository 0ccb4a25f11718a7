"""Long lists sent to the database a batch at a time: SQLite limits how many values one statement may carry,
PostgreSQL takes at most 65,535 parameters, and one IN (...) of thousands is slow to build and parse."""

from collections.abc import Iterable, Iterator
from itertools import islice

# Values in one IN (...): well under SQLite's limit of 999 host parameters on older builds.
IN_LIST = 900


def batched(items: Iterable, size: int = IN_LIST) -> Iterator[list]:
    """Lists of at most `size` items, in order (Python 3.12's itertools.batched, as lists)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
