"""CSV and XLSX exports of an evidence pack. Never monitoring data; contact and respondent details only for
those who may see personal data (rule 1). The rows are plain values: crm.core.spreadsheets writes them and
makes every cell formula-safe."""

from collections.abc import Iterator

from crm.core.time import govuk_date_time
from crm.evidence import queries as evidence
from crm.evidence.service import record_due_regard
from crm.feedback.models import SOURCES, STANCES
from crm.policies.models import Policy

PERSONAL_COLUMNS = ["Contact name", "Contact email", "Contact phone", "Respondent name", "Respondent email"]
PERSONAL_FIELDS = ["contact_email", "contact_name", "contact_phone", "respondent_email", "respondent_name"]


def record_export(actor, policy: Policy, filters, file_format: str, personal: bool) -> None:
    """The export is on record (who took which evidence, with which filters) before anyone has the file."""
    record_due_regard(
        actor,
        f"evidence_pack.exported_{file_format}",
        policy,
        ["feedback", *filters.used, *(PERSONAL_FIELDS if personal else [])],
    )


def evidence_rows(policy_id: int, filters, personal: bool) -> Iterator[list]:
    """The header, then a row per filtered feedback item. Items are read in batches as the rows are
    written, with how each was used fetched per batch, so it works after the request has committed."""
    head = [
        "Feedback",
        "Received",
        "Source",
        "Consultation",
        "Event",
        "Group",
        "Characteristics",
        "Themes",
        "Barriers",
        "Stance",
        "Text",
        "How it was used",
        "Decision note",
    ]
    if personal:
        head += PERSONAL_COLUMNS
    yield head
    batch: list = []
    for item in evidence.evidence_for_export(policy_id, filters, personal):
        batch.append(item)
        if len(batch) == 500:
            yield from _batch_rows(policy_id, batch, personal)
            batch = []
    yield from _batch_rows(policy_id, batch, personal)


def _batch_rows(policy_id: int, items: list, personal: bool) -> Iterator[list]:
    influences = evidence.influences_for(policy_id, [item.id for item in items])
    for item in items:
        influence = influences.get(item.id)
        row = [
            f"FB-{item.id}",
            govuk_date_time(item.received_at),
            SOURCES.get(item.source, item.source),
            item.consultation.title if item.consultation else "",
            item.event.title if item.event else "",
            item.group.name if item.group else "",
            "; ".join(c.name for c in item.characteristics),
            "; ".join(t.name for t in item.themes),
            "; ".join(b.name for b in item.barriers),
            STANCES.get(item.stance or "", ""),
            item.text,
            influence.use_label if influence else "",
            influence.note if influence else "",
        ]
        if personal:
            contact, response = item.contact, item.response
            row += [
                contact.name if contact else "",
                contact.email if contact else "",
                contact.phone if contact else "",
                response.name if response else "",
                response.email if response else "",
            ]
        yield row
