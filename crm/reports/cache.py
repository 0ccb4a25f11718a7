"""Figures of slow reports kept for a few minutes, shared by every app server through the database.

Barriers by characteristic and the coverage heat map read every counted feedback item: at a million items
their SQL alone takes most of a second (`make benchmark`). They are worked out at most once every
REPORT_CACHE_SECONDS (default 600) for the same question, and the page says when. Nothing personal is
kept: only the counts the page shows.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy.exc import IntegrityError

from crm.core.models import utc_now
from crm.core.transaction import savepoint
from crm.extensions import db
from crm.reports.models import ReportCache


@dataclass(frozen=True)
class Cached:
    payload: dict
    computed_at: datetime


def max_age() -> timedelta:
    return timedelta(seconds=max(0, int(current_app.config.get("REPORT_CACHE_SECONDS", 600))))


def cached(key: str, compute: Callable[[], dict]) -> Cached:
    """The payload kept under `key` if it is fresh enough, else `compute()`'s, kept for next time."""
    now = utc_now()
    kept = db.session.get(ReportCache, key)
    if kept is not None and now - kept.computed_at <= max_age():
        return Cached(kept.payload, kept.computed_at)
    payload = compute()
    try:
        with savepoint():  # another server may have kept the same key meanwhile: theirs is as good
            if kept is None:
                db.session.add(ReportCache(key=key, computed_at=now, payload=payload))
            else:
                kept.computed_at, kept.payload = now, payload
    except IntegrityError:
        pass
    return Cached(payload, now)
