"""Import and export of the groups spreadsheet. Imports check every row first, then apply all or none."""

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import insert, select
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
# New groups are written this many at a time: one INSERT for the lot, then their links and audit events.
APPLY_BATCH = 500
MAILING_LIST_COLUMNS = ["name", "email", "group", "role", "preferred_language", "access_needs"]
# Spreadsheet column -> contact field ("contact_consent" is the one whose name differs).
CONTACT_KEYS = {
    ("contact_consent" if name == "consent_given" else f"contact_{name}"): name for name in CONTACT_FIELDS
}


class ImportFileError(ValueError):
    """The file as a whole cannot be read: wrong encoding, missing columns, no rows."""


Progress = Callable[[int], None]


def _no_progress(done: int) -> None:
    pass


@dataclass
class ImportPlan:
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
            plan.rows.append(values)
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


def stage_upload(actor, filename: str, content: bytes) -> ImportBatch:
    """Keep an uploaded file in the database until it is confirmed, so any app server can preview it."""
    batch = ImportBatch(filename=(filename or "upload.csv")[:255], content=content, uploaded_by_id=actor.id)
    db.session.add(batch)
    db.session.flush()  # the preview's address needs the batch's id
    return batch


def confirm_import(
    actor, batch: ImportBatch, plan: ImportPlan, progress: Progress = _no_progress
) -> dict[str, int]:
    """Apply a checked plan and mark its file as imported, in the caller's one unit of work."""
    counts = apply_import(actor, plan, progress)
    batch.applied_at = utc_now()
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
