"""The groups area's background jobs: a big import (the rows checked at upload, applied all or none) and a big
export of the groups spreadsheet. crm/core/jobs.py runs them; the views decide when work is big enough."""

from datetime import date

from werkzeug.datastructures import MultiDict

from crm.core import audit, jobs
from crm.core.jobs import JobFailed, Run, job_kind
from crm.extensions import db
from crm.groups import queries, transfer
from crm.groups.models import ImportBatch

IMPORT = "groups.import"
EXPORT = "groups.export"


@job_kind(IMPORT)
def import_groups(run: Run) -> dict:
    """Apply the rows checked when the file was uploaded (the file is not read again), every row or, if the
    register has changed so that any row no longer fits, none."""
    batch = db.session.get(ImportBatch, run.params["batch_id"])
    if batch is None:
        raise JobFailed("The uploaded file is no longer kept. Upload it again.")
    run.progress(0, total=batch.row_count, stage="Saving groups")
    try:
        counts = transfer.confirm_import(run.actor, batch, progress=run.progress)
    except transfer.ImportFileError as error:
        raise JobFailed(str(error) if str(error).endswith(".") else f"{error}.") from error
    return {
        "summary": [
            ["Groups added", f"{counts['created']:,}"],
            ["Groups updated", f"{counts['updated']:,}"],
            ["Groups unchanged", f"{counts['unchanged']:,}"],
            ["Contacts added", f"{counts['contacts_added']:,}"],
        ],
        "next": ["groups.group_list", "Go to the groups"],
    }


@job_kind(EXPORT)
def export_groups(run: Run) -> dict:
    """The filtered groups spreadsheet, written to the job's file; on record as the in-request export is."""
    filters = queries.GroupFilters.from_args(MultiDict(run.params["args"]))
    with_contacts = run.params["personal"]
    audit.record(
        run.actor,
        "groups.exported",
        None,
        ["contacts"] if with_contacts else [],
        entity_type="community_group",
    )
    rows = run.write_file(
        f"groups-{date.today().isoformat()}.{run.params['format']}",
        transfer.export_rows(filters, with_contacts),
        sheet_title="Groups",
        stage="Writing the groups",
    )
    return {"summary": [["Rows in the file", f"{rows:,}"]]}


def start_import(actor, batch: ImportBatch, rows: int):
    """Ask for a checked upload to be imported as a job: (job, False) when it already is being imported."""
    return jobs.start(actor, IMPORT, f"Import of {batch.filename}", {"batch_id": batch.id}, total=rows)


def start_export(actor, args: MultiDict, file_format: str, with_contacts: bool, groups: int):
    """Ask for the filtered groups spreadsheet as a job: (job, False) when this one is already under way."""
    params = {"args": args.to_dict(flat=False), "format": file_format, "personal": with_contacts}
    return jobs.start(actor, EXPORT, f"Export of groups ({file_format.upper()})", params, total=groups)
