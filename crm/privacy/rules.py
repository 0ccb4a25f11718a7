"""The legal clock and the confirmation token of a data request: pure rules, tested on their own."""

import calendar
import hashlib
import re
import secrets
from datetime import date, datetime, timedelta

from crm.core.time import UK

REFERENCE_PATTERN = re.compile(r"CV-[0-9A-Z]{4}-[0-9A-Z]{4}")


def add_calendar_month(day: date) -> date:
    """The same day of the next month; when the next month is shorter, its last day (ICO guidance: a request
    received on 31 January is due on 28 or 29 February)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(received_at: datetime) -> date:
    """One calendar month from the UK day the request arrived (UK GDPR Art. 12(3)). A due date on a
    Saturday or Sunday moves to the Monday, as the ICO allows; bank holidays are for staff to allow for."""
    due = add_calendar_month(received_at.astimezone(UK).date())
    while due.weekday() >= 5:
        due += timedelta(days=1)
    return due


def new_token() -> tuple[str, str]:
    """A confirmation token for the email link, and the hash that is all the database keeps of it."""
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_reference(text: str | None) -> str:
    """A receipt reference as people type it ("cv-ab12-cd34", "CV AB12 CD34", "CVAB12CD34") in its
    printed form; anything that cannot be one is returned trimmed and upper-cased, for the form to refuse."""
    compact = re.sub(r"[\s-]", "", (text or "").upper())
    if len(compact) == 10 and compact.startswith("CV"):
        return f"CV-{compact[2:6]}-{compact[6:]}"
    return (text or "").strip().upper()
