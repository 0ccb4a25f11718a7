"""Dates and times, the one place that reads and writes them for people (DESIGN rule 8).

Date-times are stored in UTC and typed and shown in UK time: Europe/London, GMT in winter and BST in summer,
so a consultation that closes "at 11:59pm on 31 March" does so by the clock on the wall. Days are written the
GOV.UK way: "27 November 2026".
"""

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

# Day first, as people in the UK write it; the ISO form is what a browser's date input sends.
DAY_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d %m %Y", "%d-%m-%Y")

_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?")


# ---- Reading what a person typed -------------------------------------------------------------------------


def parse_day(text: str | None) -> date | None:
    """27/3/2026, 2026-03-27, 27 3 2026 or 27-3-2026, or None if it is not a real day."""
    text = (text or "").strip()
    for pattern in DAY_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_govuk_date(text: str | None) -> date | None:
    """A day as the app writes it (govuk_date), "27 March 2026": an event picker's "Skills Street, 3 March
    2026" names its day so. Not a way people type days into date fields (parse_day)."""
    try:
        return datetime.strptime((text or "").strip(), "%d %B %Y").date()
    except ValueError:
        return None


def parse_day_boxes(day: str, month: str, year: str) -> date | None:
    """The day, month and year boxes of a GOV.UK date input, or None unless all three make a real day."""
    parts = [part.strip() for part in (day, month, year)]
    if not all(parts):
        return None
    # Three filled boxes joined by spaces can only match the "27 3 2026" form.
    return parse_day(" ".join(parts))


def parse_time_of_day(text: str | None) -> time | None:
    """'23:59', '11:59pm', '11.59 pm', '9am', 'midday' or 'midnight' (the start of the day), else None."""
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
        return None  # a bare "9" could be morning or evening
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


# ---- Between UK time and UTC -----------------------------------------------------------------------------


def utc_from_uk(day: date, clock: time) -> datetime:
    """The UTC instant of a day and time on a UK clock (11:59pm on 31 March is 22:59 UTC: BST has begun)."""
    return datetime.combine(day, clock, tzinfo=UK).astimezone(UTC)


def uk_day_and_time(value: datetime | None) -> tuple[date | None, str]:
    """A stored date-time as the UK day and "HH:MM" a form shows, or (None, "") for no date-time."""
    if value is None:
        return None, ""
    local = value.astimezone(UK)
    return local.date(), f"{local:%H:%M}"


def uk_today() -> date:
    """Today as a UK calendar has it (a due date, a deadline): not UTC's day, which ends at 11pm in summer."""
    return datetime.now(UK).date()


def start_of_uk_day(day: date) -> datetime:
    """UK midnight at the start of `day`, in UTC: the first instant of a "from" filter."""
    return utc_from_uk(day, time(0, 0))


def end_of_uk_day(day: date) -> datetime:
    """UK midnight at the end of `day`, in UTC. Compare with `<`: the instant itself is the next day."""
    return start_of_uk_day(day + timedelta(days=1))


def uk_midday(day: date) -> datetime:
    """A day with no time (a paper response, feedback taken on the phone) is kept at UK midday, so it stays
    the same day however it is read."""
    return utc_from_uk(day, time(12, 0))


# ---- Writing for a person to read ------------------------------------------------------------------------


def govuk_date(value: date | datetime | None) -> str:
    """27 November 2026, the UK day when given a date-time; "" for nothing."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(UK)
    return f"{value.day} {value:%B %Y}"


def govuk_date_time(value: datetime | None) -> str:
    """2:05pm on 27 November 2026, in UK time (GMT or BST as the date requires); "" for nothing."""
    if value is None:
        return ""
    local = value.astimezone(UK)
    hour = local.hour % 12 or 12
    clock = f"{hour}{local:%p}".lower() if local.minute == 0 else f"{hour}:{local:%M%p}".lower()
    # GOV.UK style: "midday" and "midnight", never the ambiguous 12pm and 12am.
    if (local.hour, local.minute) == (12, 0):
        clock = "midday"
    elif (local.hour, local.minute) == (0, 0):
        clock = "midnight"
    return f"{clock} on {govuk_date(local)}"


def govuk_month(value: datetime) -> str:
    """November 2026, the UK month of a date-time (an event at 00:30 BST on 1 June is in June)."""
    return f"{value.astimezone(UK):%B %Y}"
