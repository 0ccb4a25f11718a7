"""Staff's background jobs: a job's progress page, its file, and the list of one's own jobs.

Only the person who asked for a job, and admins, may see it or download its file; a file with personal
details only while its downloader may still see them (rule 1). The progress page works without
JavaScript: it says how far the job has got and has a button to look again."""

from flask import Blueprint, abort, current_app, render_template, send_file
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff
from crm.core import jobs
from crm.core.models import Job
from crm.extensions import db

bp = Blueprint("jobs", __name__)


def _own_job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not (job.started_by_id == current_user.id or current_user.has_role(roles.ADMIN)):
        abort(404)
    return job


@bp.get("/staff/jobs")
@any_staff
def job_list():
    return render_template("jobs/list.html", jobs=jobs.recent_jobs(current_user.id))


@bp.get("/staff/jobs/<int:job_id>")
@any_staff
def job_page(job_id: int):
    job = _own_job(job_id)
    jobs.notice_lost(job)
    return render_template("jobs/job.html", job=job)


@bp.get("/staff/jobs/<int:job_id>/download")
@any_staff
def download(job_id: int):
    job = _own_job(job_id)
    if job.status != "done" or not job.file_name:
        abort(404)
    if job.params.get("personal") and not current_user.has_role(*roles.SEES_PERSONAL_DATA):
        abort(404)
    path = jobs.file_path(current_app, job.queue_ref, job.file_name)
    if not path.is_file():
        abort(404)
    # send_file streams the file from disk in blocks; the export was put on record when the job ran.
    return send_file(path, as_attachment=True, download_name=job.file_name, max_age=0)
