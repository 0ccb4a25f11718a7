"""Dates and times are entered in UK time and stored in UTC (rule 8)."""

import re
from datetime import UTC, date, datetime, time

from crm.templating import UK

_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")


def parse_time(text: str) -> time | None:
    """'23:59', '11:59pm', '11.59 pm', '9am', 'midday' or 'midnight' (the start of the day)."""
    text = (text or "").strip().lower().replace(" ", "")
    if text in ("midday", "noon", "12noon"):
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = _CLOCK.fullmatch(text)
    if not match:
        return None
    hour, minute, suffix = int(match[1]), int(match[2] or 0), match[3]
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match[2] is None:
        return None  # a bare "9" is ambiguous
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def uk_to_utc(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=UK).astimezone(UTC)


def utc_to_uk_parts(value: datetime | None) -> tuple[date | None, str]:
    if value is None:
        return None, ""
    local = value.astimezone(UK)
    return local.date(), f"{local:%H:%M}"
