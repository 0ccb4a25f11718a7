"""CSV and XLSX exports of an evidence pack. Never monitoring data; contact and respondent details only for
those who may see personal data (rule 1). The rows are plain values: crm.core.spreadsheets writes them and
makes every cell formula-safe."""

from collections.abc import Iterator

from crm.evidence import queries as evidence
from crm.evidence.service import record_due_regard
from crm.feedback.models import SOURCES, STANCES
from crm.policies.models import Policy

PERSONAL_COLUMNS = ["Contact name", "Contact email", "Contact phone", "Respondent name", "Respondent email"]
EXPORT_BATCH = 2000
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
    written, as plain rows with how each was used, so it works after the request has committed.

    One value per cell, for analysts' tools: a column per characteristic, theme and barrier ("Speaks for:
    Disability", "Theme: Housing"), "Yes" where the item is coded with it, named from the reference lists."""
    codes = evidence.export_code_columns()
    head = [
        "Feedback",
        "Received",
        "Source",
        "Consultation",
        "Event",
        "Group",
        *(f"{prefix}: {name}" for prefix, names in codes for name in names),
        "Stance",
        "Text",
        "How it was used",
        "Decision note",
    ]
    if personal:
        head += PERSONAL_COLUMNS
    yield head
    # The ids first (a few hundred kilobytes even for 50,000 items), then the rows a batch at a time.
    feedback_ids = evidence.matching_ids(policy_id, filters)
    for start in range(0, len(feedback_ids), EXPORT_BATCH):
        batch = feedback_ids[start : start + EXPORT_BATCH]
        influences = evidence.influences_for(policy_id, batch)
        for item in evidence.items_for_export(batch, personal):
            influence = influences.get(item.id)
            yield [
                f"FB-{item.id}",
                item.received_at,
                SOURCES.get(item.source, item.source),
                item.consultation,
                item.event,
                item.group,
                *(
                    "Yes" if name in coded else ""
                    for (_prefix, names), coded in zip(
                        codes, (set(item.characteristics), set(item.themes), set(item.barriers)), strict=True
                    )
                    for name in names
                ),
                STANCES.get(item.stance or "", ""),
                item.text,
                influence.use_label if influence else "",
                influence.note if influence else "",
                *(item.personal if personal else ()),
            ]
