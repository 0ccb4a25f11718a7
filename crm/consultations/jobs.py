"""The consultations area's background job: a big export of responses, written to a file for download."""

from crm.consultations import exports
from crm.consultations.models import Consultation
from crm.core import jobs
from crm.core.jobs import JobFailed, Run, job_kind
from crm.extensions import db

EXPORT = "consultations.responses_export"


@job_kind(EXPORT)
def export_responses(run: Run) -> dict:
    """Every response of a consultation, as the in-request export writes them, and on record the same way."""
    consultation = db.session.get(Consultation, run.params["consultation_id"])
    if consultation is None:
        raise JobFailed("The consultation is no longer there.")
    file_format, personal = run.params["format"], run.params["personal"]
    exports.record_export(run.actor, consultation, file_format, personal)
    rows = run.write_file(
        f"{consultation.slug}-responses.{file_format}",
        exports.response_rows(consultation.id, personal),
        sheet_title="Responses",
        stage="Writing responses",
    )
    return {"summary": [["Responses in the file", f"{rows:,}"]]}


def start_export(actor, consultation: Consultation, file_format: str, personal: bool, responses: int):
    """Ask for the responses export as a job: (job, False) when this one is already under way."""
    params = {"consultation_id": consultation.id, "format": file_format, "personal": personal}
    title = f"Export of responses to {consultation.title} ({file_format.upper()})"
    return jobs.start(actor, EXPORT, title, params, total=responses)
