"""Import and export of the groups spreadsheet. Imports check every row first, then apply all or none."""

import csv
import io
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import selectinload

from crm.core import audit, workbooks
from crm.core.matching import TrigramIndex
from crm.core.models import Area, Characteristic, utc_now
from crm.extensions import db
from crm.groups import queries
from crm.groups.matching import match_key, near_register_names
from crm.groups.models import CommunityGroup, Contact, ImportBatch, group_area, group_characteristic
from crm.groups.schemas import (
    CONTACT_COLUMNS,
    GROUP_COLUMNS,
    REQUIRED_COLUMNS,
    GroupRowSchema,
    export_row,
    load_row,
)
from crm.groups.service import CONTACT_FIELDS, GROUP_FIELDS

MAX_ROWS = 50_000
# How long a checked upload waits for its import to be confirmed.
UPLOAD_KEPT_FOR = timedelta(hours=24)
# New groups are written this many at a time: one INSERT for the lot, then their links and audit events.
APPLY_BATCH = 500
MAILING_LIST_COLUMNS = ["name", "email", "group", "role", "preferred_language", "access_needs"]
# Spreadsheet column -> contact field ("contact_consent" is the one whose name differs).
CONTACT_KEYS = {
    ("contact_consent" if name == "consent_given" else f"contact_{name}"): name for name in CONTACT_FIELDS
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read: wrong encoding, missing columns, no rows."""


class UploadUnavailable(LookupError):
    """An upload's token names nothing this person may import: unknown, someone else's, or expired."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


Progress = Callable[[int], None]


def _no_progress(done: int) -> None:
    pass


@dataclass
class ImportPlan:
    """What checking a file found: its good rows (with their spreadsheet row number under "_row"), and every
    problem and warning by row number."""

    rows: list[dict] = field(default_factory=list)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    warnings: dict[int, list[str]] = field(default_factory=dict)

    @property
    def to_create(self) -> int:
        return sum(1 for row in self.rows if row["id"] is None)

    @property
    def to_update(self) -> int:
        return len({row["id"] for row in self.rows if row["id"] is not None})

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    def summary(self, row_count: int) -> "ImportSummary":
        return ImportSummary(self.to_create, self.to_update, row_count, self.errors, self.warnings)


@dataclass
class ImportSummary:
    """A checked file as its preview shows it, without its rows: kept with the upload (as JSON)."""

    to_create: int
    to_update: int
    row_count: int
    errors: dict[int, dict[str, list[str]]]
    warnings: dict[int, list[str]]

    @property
    def ok(self) -> bool:
        return not self.errors and self.row_count > 0

    def to_json(self) -> dict:
        # Pairs rather than objects: JSON keys are strings, and the rows' order must survive.
        return {
            "to_create": self.to_create,
            "to_update": self.to_update,
            "errors": [[number, problems] for number, problems in self.errors.items()],
            "warnings": [[number, messages] for number, messages in self.warnings.items()],
        }

    @classmethod
    def from_json(cls, data: dict, row_count: int) -> "ImportSummary":
        return cls(
            data.get("to_create", 0),
            data.get("to_update", 0),
            row_count,
            dict(data.get("errors", [])),
            dict(data.get("warnings", [])),
        )


# Checked rows hold Python values; these are the ones JSON cannot (consent dates).
_DATE_KEYS = ("contact_consent_date",)


def _row_to_json(row: dict) -> dict:
    return {key: value.isoformat() if key in _DATE_KEYS and value else value for key, value in row.items()}


def _row_from_json(row: dict) -> dict:
    return {
        key: date.fromisoformat(value) if key in _DATE_KEYS and value else value for key, value in row.items()
    }


def read_upload(filename: str, content: bytes) -> list[dict]:
    """The rows of an uploaded groups spreadsheet: an Excel workbook (.xlsx), or CSV UTF-8."""
    if workbooks.is_workbook_upload(filename, content):
        return read_xlsx(content)
    return read_csv(content)


def read_xlsx(content: bytes) -> list[dict]:
    """The rows of the first sheet of a workbook, checked as `crm.core.workbooks` checks every upload."""
    try:
        rows = workbooks.read_rows(content, MAX_ROWS)
    except workbooks.UnreadableWorkbook as error:
        raise ImportFileError(str(error)) from error
    if not rows:
        raise ImportFileError("The workbook’s first sheet is empty. Put the column names in its first row")
    headers = [name.strip().lower() for name in rows[0]]
    _check_headers(headers)
    records = [{key: value for key, value in zip(headers, row, strict=False) if key} for row in rows[1:]]
    return _checked_count(records)


def _check_headers(headers: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in headers]
    if missing:
        raise ImportFileError(f"The file is missing these columns: {', '.join(missing)}. Use the template")


def _checked_count(rows: list[dict]) -> list[dict]:
    if not rows:
        raise ImportFileError("The file has no rows of groups under the column names")
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"The file has {len(rows):,} rows. Import at most {MAX_ROWS:,} rows at a time")
    return rows


def read_csv(content: bytes) -> list[dict]:
    try:
        text = content.decode("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte-order mark
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not in UTF-8. In Excel, choose File, Save as, then ‘CSV UTF-8 (Comma delimited)’"
        ) from error
    if "\x00" in text:
        raise ImportFileError("The file is not a CSV file. Upload the groups spreadsheet saved as CSV UTF-8")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [name.strip().lower() for name in (reader.fieldnames or [])]
    _check_headers(headers)
    reader.fieldnames = headers
    try:
        rows = [{key: (value or "") for key, value in row.items() if key} for row in reader]
    except csv.Error as error:
        raise ImportFileError(f"The file could not be read as CSV: {error}") from error
    return _checked_count(rows)


def _lookup(model) -> dict[str, int]:
    return {
        name.lower(): id_
        for id_, name in db.session.execute(select(model.id, model.name).where(model.is_retired.is_(False)))
    }


def plan_import(rows: list[dict], progress: Progress = _no_progress) -> ImportPlan:
    """Check every row; nothing is written. Rows are numbered as a spreadsheet shows them (header = 1).
    `progress` is told how many rows have been checked."""
    schema = GroupRowSchema(areas=_lookup(Area), characteristics=_lookup(Characteristic))
    plan = ImportPlan()
    ids = {int(row["id"]) for row in rows if (row.get("id") or "").strip().isdigit()}
    existing_ids = (
        set(db.session.scalars(select(CommunityGroup.id).where(CommunityGroup.id.in_(ids)))) if ids else set()
    )
    # New names are checked against the register and the file's other rows by the near-duplicate matcher.
    new_names: list[tuple[int, str, str]] = []
    file_keys = TrigramIndex()
    seen_rows: dict[tuple, int] = {}
    new_keys: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        values, errors = load_row(schema, raw)
        fingerprint = tuple(sorted((k, v.strip()) for k, v in raw.items()))
        if fingerprint in seen_rows:
            errors.setdefault("row", []).append(f"This row repeats row {seen_rows[fingerprint]}")
        seen_rows.setdefault(fingerprint, number)
        if values is not None and values["id"] is not None and values["id"] not in existing_ids:
            errors.setdefault("id", []).append(
                f"There is no group with id {values['id']}. Leave id empty for a new group"
            )
        if values is not None and values["id"] is None:
            key = match_key(values["name"])
            if key in new_keys:
                errors.setdefault("name", []).append(
                    f"Row {new_keys[key]} already adds a group with this name"
                )
            elif near := file_keys.near(key, limit=1, best=False):
                row_number, row_name = near[0][1]
                plan.warnings.setdefault(number, []).append(
                    f"Looks like ‘{row_name}’ in row {row_number}. Check they are different groups"
                )
            new_keys.setdefault(key, number)
            file_keys.add(key, (number, values["name"]))
            new_names.append((number, key, values["name"]))
        if errors:
            plan.errors[number] = errors
        else:
            plan.rows.append({**values, "_row": number})
        progress(number - 1)
    on_register = near_register_names([key for _number, key, _name in new_names])
    for number, key, _name in new_names:
        if key in on_register:
            plan.warnings.setdefault(number, []).insert(
                0,
                f"Looks like the existing group ‘{on_register[key]}’. "
                "Use its id to update it instead of adding another",
            )
    plan.warnings = dict(sorted(plan.warnings.items()))
    return plan


def _contact_values(row: dict) -> dict | None:
    if not row.get("contact_name"):
        return None
    return {field_name: row[column] for column, field_name in CONTACT_KEYS.items()}


def stage_upload(actor, filename: str, content: bytes, now: datetime | None = None) -> ImportBatch:
    """Read and check an uploaded file, once, and keep what was found (never the file) under a random token
    for its preview and its import, which any app server or job can then use. Raises ImportFileError when
    the file cannot be read at all. Uploads long past UPLOAD_KEPT_FOR are cleared out as new ones arrive."""
    now = now or utc_now()
    rows = read_upload(filename, content)
    plan = plan_import(rows)
    # Cleared a day after they expire, so a job confirmed just before the end still finds its rows.
    db.session.execute(delete(ImportBatch).where(ImportBatch.uploaded_at < now - 2 * UPLOAD_KEPT_FOR))
    batch = ImportBatch(
        token=secrets.token_urlsafe(32),
        filename=(filename or "upload.csv")[:255],
        uploaded_by_id=actor.id,
        uploaded_at=now,
        row_count=len(rows),
        summary=plan.summary(len(rows)).to_json(),
        rows=[_row_to_json(row) for row in plan.rows] if plan.ok else [],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def upload_for(actor, token: str, now: datetime | None = None) -> ImportBatch:
    """The upload `token` names, if `actor` uploaded it and it has not expired; else UploadUnavailable, with
    the same answer for a token that names nothing and one that names someone else's upload."""
    batch = db.session.scalar(select(ImportBatch).where(ImportBatch.token == (token or "")[:64]))
    if batch is None or batch.uploaded_by_id != getattr(actor, "id", None):
        raise UploadUnavailable(
            "There is no upload at this address for you. Uploads can only be seen by the person who made "
            "them. Upload the file again",
            404,
        )
    if batch.applied_at is None and batch.uploaded_at < (now or utc_now()) - UPLOAD_KEPT_FOR:
        raise UploadUnavailable(
            f"This upload has expired: uploads are kept for {UPLOAD_KEPT_FOR.days * 24} hours until they are "
            "imported. Nothing from it was saved. Upload the file again",
            410,
        )
    return batch


def summary_of(batch: ImportBatch) -> ImportSummary:
    return ImportSummary.from_json(batch.summary or {}, batch.row_count)


def stored_plan(batch: ImportBatch) -> ImportPlan:
    """The rows as they were checked when the file was uploaded; the file is not read again."""
    summary = summary_of(batch)
    return ImportPlan(
        rows=[_row_from_json(row) for row in batch.rows or []],
        errors=summary.errors,
        warnings=summary.warnings,
    )


def changes_since_checked(plan: ImportPlan) -> dict[int, dict[str, list[str]]]:
    """What the register's changes since the file was checked break, by row: groups to update that are gone,
    areas and characteristics retired since. A few queries over ids, not another reading of the file."""
    problems: dict[int, dict[str, list[str]]] = {}
    ids = {row["id"] for row in plan.rows if row["id"] is not None}
    existing = (
        set(db.session.scalars(select(CommunityGroup.id).where(CommunityGroup.id.in_(ids)))) if ids else set()
    )
    areas, characteristics = set(_lookup(Area).values()), set(_lookup(Characteristic).values())
    for row in plan.rows:
        found = {}
        if row["id"] is not None and row["id"] not in existing:
            found["id"] = [f"There is no group with id {row['id']}. Leave id empty for a new group"]
        if set(row["area_ids"]) - areas:
            found["areas"] = ["An area in this row has been retired since the file was checked"]
        if set(row["characteristic_ids"]) - characteristics:
            found["characteristics"] = [
                "A characteristic in this row has been retired since the file was checked"
            ]
        if found:
            problems[row.get("_row", 0)] = found
    return problems


def describe_changes(problems: dict[int, dict[str, list[str]]]) -> str:
    number, found = next(iter(problems.items()))
    column, messages = next(iter(found.items()))
    return (
        f"{len(problems):,} rows have problems now, such as row {number} ({column}: {messages[0]}). "
        "Upload the file again to see every problem."
    )


def confirm_import(actor, batch: ImportBatch, progress: Progress = _no_progress) -> dict[str, int]:
    """Import an upload's checked rows, all or none, in the caller's one unit of work, and mark it imported
    (its rows are no longer kept). ImportFileError when it was imported already, had problems, or the
    register has changed so that a row no longer fits."""
    if batch.applied_at is not None:
        raise ImportFileError("This file was already imported")
    plan = stored_plan(batch)
    if not plan.ok:
        raise ImportFileError("Fix the errors in the file before importing")
    problems = changes_since_checked(plan)
    if problems:
        raise ImportFileError(describe_changes(problems))
    counts = apply_import(actor, plan, progress)
    batch.applied_at = utc_now()
    batch.rows = []
    return counts


def apply_import(actor, plan: ImportPlan, progress: Progress = _no_progress) -> dict[str, int]:
    """Write every row of a plan that has no errors, in the caller's one unit of work. `progress` is told
    how many rows have been written."""
    if not plan.ok:
        raise ImportFileError("Fix the errors in the file before importing")
    now = utc_now()
    updates = {row["id"] for row in plan.rows if row["id"] is not None}
    groups = (
        {
            g.id: g
            for g in db.session.scalars(
                select(CommunityGroup)
                .where(CommunityGroup.id.in_(updates))
                .options(
                    selectinload(CommunityGroup.areas),
                    selectinload(CommunityGroup.characteristics),
                    selectinload(CommunityGroup.contacts),
                )
            )
        }
        if updates
        else {}
    )
    areas = {a.id: a for a in db.session.scalars(select(Area))}
    characteristics = {c.id: c for c in db.session.scalars(select(Characteristic))}
    created = updated = contacts_added = 0
    for start in range(0, len(plan.rows), APPLY_BATCH):
        new_groups = []
        for row in plan.rows[start : start + APPLY_BATCH]:
            group_values = {name: row[name] for name in GROUP_FIELDS if name in row}
            group_values.setdefault("lawful_basis", "public_task")
            if row["id"] is None:
                group = CommunityGroup(
                    **group_values,
                    match_key=match_key(row["name"]),
                    source="officer",
                    is_verified=row["verified"],
                    verified_at=now if row["verified"] else None,
                )
                db.session.add(group)
                new_groups.append((group, row))
            else:
                changed, added = _update_group(
                    actor, groups[row["id"]], row, group_values, areas, characteristics
                )
                updated += changed
                contacts_added += added
        db.session.flush()  # the batch's new groups in one INSERT, which gives them their ids
        contacts_added += _link_new_groups(actor, new_groups, now)
        created += len(new_groups)
        progress(min(start + APPLY_BATCH, len(plan.rows)))
    audit.record(actor, "groups.import_applied", None, entity_type="import")
    return {
        "created": created,
        "updated": updated,
        "unchanged": len(updates) - updated,
        "contacts_added": contacts_added,
    }


def _link_new_groups(actor, new_groups: list[tuple[CommunityGroup, dict]], now) -> int:
    """Areas, characteristics, contacts and audit events of new groups, as bulk inserts: a 10,000-row file
    stays quick. Returns how many contacts were added."""
    links_area, links_char, contacts = [], [], []
    for group, row in new_groups:
        links_area += [{"group_id": group.id, "area_id": a} for a in row["area_ids"]]
        links_char += [{"group_id": group.id, "characteristic_id": c} for c in row["characteristic_ids"]]
        contact = _contact_values(row)
        if contact:
            contacts.append({"group_id": group.id, **contact, "created_at": now, "updated_at": now})
        audit.record(actor, "group.imported", group, [*GROUP_FIELDS, "areas", "characteristics"])
    if links_area:
        db.session.execute(insert(group_area), links_area)
    if links_char:
        db.session.execute(insert(group_characteristic), links_char)
    if contacts:
        db.session.execute(insert(Contact), contacts)
    return len(contacts)


def _update_group(
    actor, group, row: dict, group_values: dict, areas: dict, characteristics: dict
) -> tuple[bool, int]:
    """Apply a row to an existing group, auditing any change: (whether anything changed, contacts added)."""
    changed = audit.changed_field_names(group, group_values)
    if "name" in changed:
        group.match_key = match_key(group.name)
    if {a.id for a in group.areas} != set(row["area_ids"]):
        group.areas = [areas[a] for a in row["area_ids"]]
        changed.append("areas")
    if {c.id for c in group.characteristics} != set(row["characteristic_ids"]):
        group.characteristics = [characteristics[c] for c in row["characteristic_ids"]]
        changed.append("characteristics")
    added = 0
    contact = _contact_values(row)
    if contact:
        match = next(
            (
                c
                for c in group.contacts
                if (contact["email"] and c.email == contact["email"])
                or (not contact["email"] and c.name == contact["name"])
            ),
            None,
        )
        if match is None:
            group.contacts.append(Contact(**contact))
            added = 1
            changed.append("contacts")
        elif audit.changed_field_names(match, contact):
            changed.append("contacts")
    if changed:
        audit.record(actor, "group.imported", group, sorted(set(changed)))
    return bool(changed), added


def export_columns(with_contacts: bool) -> list[str]:
    return GROUP_COLUMNS + (CONTACT_COLUMNS if with_contacts else [])


def export_rows(filters: queries.GroupFilters, with_contacts: bool) -> Iterator[list]:
    """The groups spreadsheet, header first: a row per current contact of each group (one row for a group
    without), or per group when contacts are left out. Groups are read as the rows are written."""
    yield export_columns(with_contacts)
    for group in queries.groups_for_export(filters, with_contacts):
        contacts = [c for c in group.contacts if not c.is_archived] if with_contacts else []
        for contact in contacts or [None]:
            yield export_row(group, contact, with_contacts=with_contacts)


def mailing_list_rows(filters: queries.GroupFilters) -> Iterator[list]:
    """The mailing list, header first, for pasting into an email tool."""
    yield MAILING_LIST_COLUMNS
    for contact in queries.mailing_list_for_export(filters):
        yield [
            contact.name,
            contact.email,
            contact.group.name if contact.group else "",
            contact.role,
            contact.preferred_language,
            contact.access_needs,
        ]
