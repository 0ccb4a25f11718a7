"""How long each class of data is kept, and what happens at the end: the one place that says so.

The privacy notice's retention section is written from `DATA_CLASSES`, so the notice and the code cannot
disagree. Each feature area that holds a class registers the handler that finds and ends what is due
(`@ends("respondent_details")` in its `retention.py`); `flask --app wsgi crm retention` runs them in batches,
each batch its own unit of work and on record, so a run stopped half-way is finished by running it again.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

DELETE, ANONYMISE = "delete", "anonymise"
# What replaces free text that had to go, so the rows (and the EIA citations and counts resting on them) stay.
REMOVED_ON_REQUEST = "[Removed at the person’s request]"
REMOVED_AT_END_OF_PERIOD = "[Removed at the end of its retention period]"


@dataclass(frozen=True)
class DataClass:
    key: str
    name: str
    kept_for: str  # as the privacy notice says it
    days: int
    ending: str  # DELETE or ANONYMISE
    detail: str  # what happens at the end, for the notice

    def cutoff(self, now: datetime) -> datetime:
        """Records whose clock started before this moment are due."""
        return now - timedelta(days=self.days)


DATA_CLASSES = (
    DataClass(
        "monitoring_answers",
        "Equality monitoring answers",
        "2 years after the consultation closes",
        2 * 365,
        DELETE,
        "deleted; the consultation's published totals, already suppressed, are kept",
    ),
    DataClass(
        "respondent_details",
        "Respondents' names and email addresses",
        "1 year after the consultation closes",
        365,
        ANONYMISE,
        "removed from the response, which is kept without them",
    ),
    DataClass(
        "response_text",
        "Consultation responses and what they said",
        "6 years after the consultation closes",
        6 * 365,
        ANONYMISE,
        "what people wrote is removed, and so is the text of the feedback drawn from it; the responses, "
        "their multiple-choice answers and the feedback items stay (without their text), so counts and the "
        "evidence cited in equality impact assessments still add up",
    ),
    DataClass(
        "closed_group_contacts",
        "Contact details of people at groups that have closed",
        "2 years after the group closed",
        2 * 365,
        ANONYMISE,
        "names, email addresses, phone numbers and access needs removed",
    ),
    DataClass(
        "sign_in_records",
        "Failed sign-ins to staff accounts: the email address typed and the network address it came from",
        "90 days after the last failed attempt",
        90,
        DELETE,
        "deleted (the audit trail keeps that a sign-in failed, without either address)",
    ),
    DataClass(
        "data_requests",
        "Requests to withdraw, copy, correct or erase your information, and our notes on them",
        "2 years after the request is closed",
        2 * 365,
        DELETE,
        "deleted",
    ),
    DataClass(
        "audit_events",
        "The record of who did what in Community Voice",
        "6 years",
        6 * 365,
        DELETE,
        "deleted",
    ),
)
BY_KEY = {data_class.key: data_class for data_class in DATA_CLASSES}


@dataclass(frozen=True)
class Handler:
    """`due(cutoff)` counts what is due; `end(cutoff, limit)` ends at most `limit` of it and says how many."""

    due: Callable[[datetime], int]
    end: Callable[[datetime, int], int]


_handlers: dict[str, Handler] = {}


def ends(key: str, due: Callable[[datetime], int]):
    """Register the function that ends one batch of a data class (and the one that counts what is due)."""
    if key not in BY_KEY:
        raise KeyError(f"No data class {key!r} in crm.core.retention.DATA_CLASSES")

    def register(end: Callable[[datetime, int], int]):
        _handlers[key] = Handler(due=due, end=end)
        return end

    return register


def handler(key: str) -> Handler | None:
    return _handlers.get(key)
