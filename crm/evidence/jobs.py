"""The evidence area's background job: a big export of a policy's evidence pack, written to a file."""

from werkzeug.datastructures import MultiDict

from crm.core import jobs
from crm.core.jobs import JobFailed, Run, job_kind
from crm.evidence import exports
from crm.evidence.queries import EvidenceFilters
from crm.extensions import db
from crm.policies.models import Policy

EXPORT = "evidence.pack_export"


@job_kind(EXPORT)
def export_evidence_pack(run: Run) -> dict:
    """The filtered evidence pack, as the in-request export writes it, and on record the same way."""
    policy = db.session.get(Policy, run.params["policy_id"])
    if policy is None:
        raise JobFailed("The policy is no longer there.")
    filters = EvidenceFilters.from_args(MultiDict(run.params["args"]))
    file_format, personal = run.params["format"], run.params["personal"]
    exports.record_export(run.actor, policy, filters, file_format, personal)
    rows = run.write_file(
        f"{policy.reference}-evidence.{file_format}",
        exports.evidence_rows(policy.id, filters, personal),
        sheet_title="Evidence",
        stage="Writing feedback",
    )
    return {"summary": [["Feedback items in the file", f"{rows:,}"]]}


def start_export(actor, policy: Policy, args: MultiDict, file_format: str, personal: bool, items: int):
    """Ask for the evidence pack export as a job: (job, False) when this one is already under way."""
    params = {
        "policy_id": policy.id,
        "args": args.to_dict(flat=False),
        "format": file_format,
        "personal": personal,
    }
    title = f"Export of the evidence for {policy.reference} ({file_format.upper()})"
    return jobs.start(actor, EXPORT, title, params, total=items)
