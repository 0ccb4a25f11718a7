"""Jobs on a real RQ worker: collected only when the run sets REDIS_URL (the PostgreSQL pass of `make test`).

The worker is `python -m tests.job_worker` (the `finish_job` fixture starts it): the app's own Worker, which
forks a work horse per job as `flask crm worker` does in production."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crm.auth import roles
from crm.core import jobs
from crm.core.models import AuditEvent, Job, utc_now
from crm.core.transaction import unit_of_work
from crm.extensions import db
from crm.groups import jobs as group_jobs
from crm.groups.models import CommunityGroup
from tests.conftest import forget_queue
from tests.factories import make_group
from tests.job_kinds import DIES_HALF_WAY

ROOT = Path(__file__).resolve().parents[2]


def test_a_work_horse_killed_half_way_saves_nothing_and_its_job_says_it_failed(sign_in_as, finish_job):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    with unit_of_work():  # as a request does: committed, then queued
        job, created = jobs.start(officer, DIES_HALF_WAY, "Dies half-way", {"groups": 5}, total=10)
    page = finish_job(f"/staff/jobs/{job.id}")
    assert created and jobs.LOST in page.select_one("#job-error").text
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.status == "failed" and job.progress_done == 5  # it got half-way before it was killed
    assert db.session.scalar(select(func.count()).select_from(CommunityGroup)) == 0
    imported = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "group.imported")
    assert db.session.scalar(imported) == 0


def test_a_running_job_the_queue_does_not_know_is_failed_on_its_page(client, sign_in_as, finish_job):
    officer = sign_in_as(roles.ENGAGEMENT_OFFICER)
    job = Job(kind=group_jobs.EXPORT, title="Lost export", params={}, queue_ref=uuid.uuid4().hex)
    job.started_by_id, job.status, job.heartbeat_at = officer.id, "running", utc_now()
    db.session.add(job)
    db.session.commit()
    page = client.page(f"/staff/jobs/{job.id}")
    assert jobs.LOST in page.select_one("#job-error").text


def test_the_worker_command_runs_the_waiting_jobs_then_stops(app, database_url, sign_in_as, monkeypatch):
    for number in range(3):
        make_group(f"Burst Group {number}")
    officer = sign_in_as(roles.VIEWER)
    queue_name = f"{app.config['JOB_QUEUE']}-burst"
    monkeypatch.setitem(app.config, "JOB_QUEUE", queue_name)  # a queue no other worker watches
    try:
        with unit_of_work():
            job, _created = group_jobs.start_export(officer, MultiDict(), "xlsx", False, 3)
        assert db.session.get(Job, job.id).status == "queued"
        env = {
            **os.environ,
            "CRM_ENV": "test",
            "TEST_DATABASE_URL": database_url,
            "JOB_QUEUE": queue_name,
            "JOB_FILES": app.config["JOB_FILES"],
        }
        result = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "crm", "worker", "--burst"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        assert job.status == "done" and job.file_name.endswith(".xlsx")
        assert jobs.file_path(app, job.queue_ref, job.file_name).read_bytes().startswith(b"PK")
    finally:
        forget_queue(app, queue_name)


@pytest.fixture(autouse=True)
def _needs_redis(app):
    assert jobs.queue_url(app), "this module runs only when the run sets REDIS_URL"
