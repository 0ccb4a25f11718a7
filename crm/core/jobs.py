"""Background jobs: long work (a big import or export) run outside the request that asked for it.

A feature area names each job function with `@job_kind("area.what")`; its view calls `start()`, which adds a
`Job` row to the request's unit of work. Once that commits, the job is enqueued on RQ when REDIS_URL is set
(and `flask --app wsgi crm worker` runs it), or run straight away in the same request when it is not (the
embedded default, `make run`). Either way `perform()` runs it the same way:

1. it claims the job (queued to running) in a unit of work of its own;
2. it calls the job function in one unit of work that ends by marking the job done, so the job's changes,
   its audit events and its "done" commit together, or none of them does;
3. if anything raises, that unit of work is rolled back and the job is marked failed, with a message the
   person can act on, in a unit of work of its own.

Progress is written as the job goes, on a connection of its own (`transaction.record_now`), so the job's
page shows it while the job's own changes are still uncommitted. SQLite lets one connection write at a
time and the job's unit of work holds that, so on SQLite the page shows progress only when the job ends.

A worker that dies half-way (killed, out of memory, its machine gone) leaves its job "running" and nothing
of it committed. The worker marks the job failed when its work horse is killed; the job's page marks it
failed when RQ says the job failed or no longer knows it, or when the job has not reported for JOB_TIMEOUT.
"""

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path, PurePath

import rq
from flask import Flask, current_app, flash, redirect, url_for
from redis import Redis, RedisError
from rq.exceptions import NoSuchJobError
from rq.timeouts import JobTimeoutException
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from crm.core import spreadsheets
from crm.core.models import UNFINISHED, Job, JobStatus, utc_now
from crm.core.transaction import after_commit, record_now, savepoint, unit_of_work
from crm.extensions import db

logger = logging.getLogger(__name__)

# Progress is written at most this often (seconds): often enough for the page, rarely enough to cost nothing.
REPORT_EVERY = 0.5
NOTHING_SAVED = "Nothing was saved."
LOST = (
    "The job stopped before it finished: the worker running it stopped, or it took too long. "
    "Nothing was saved. Try again; if it happens again, tell your administrator."
)
NEVER_STARTED = (
    "No worker started the job, so it was cancelled. Nothing was saved. "
    "Try again later; if it happens again, ask your administrator to check the job workers."
)
NOT_QUEUED = (
    "The job could not be queued, so it did not start. Nothing was saved. Try again in a few minutes."
)
UNEXPECTED = "Something went wrong while the job ran, so it stopped. Nothing was saved."
TOO_LONG = "The job took longer than {minutes} minutes, so it was stopped. Nothing was saved."


class JobFailed(Exception):
    """A job cannot finish, for a reason the person who asked for it can act on: the message is shown."""


class JobAbandoned(Exception):
    """The job was marked failed while it ran (its worker was thought lost): it must not commit now."""


@dataclass
class Run:
    """What a job function gets: the job's parameters, who asked for it, and ways to report progress and
    to write the job's file. Job functions never touch the `Job` row itself: writing it inside the job's
    unit of work would lock it against the progress written beside it."""

    id: int
    kind: str
    params: dict
    actor: object
    total: int
    queue_ref: str
    done: int = 0
    file_name: str = ""
    _live: bool = True
    _last_report: float = field(default=0.0, repr=False)

    def progress(self, done: int, total: int | None = None, stage: str | None = None) -> None:
        """Say how far the job has got (`done` of `total`, at `stage`). A new stage is always written;
        counts at most every REPORT_EVERY seconds."""
        self.done = done
        values: dict = {"progress_done": done}
        if total is not None:
            self.total = values["progress_total"] = total
        if stage is not None:
            values["stage"] = stage[:120]
        now = time.monotonic()
        if not self._live or (stage is None and now - self._last_report < REPORT_EVERY):
            return
        self._last_report = now
        changed = record_now(
            update(Job)
            .where(Job.id == self.id, Job.status == JobStatus.RUNNING)
            .values(**values, heartbeat_at=utc_now())
        )
        if not changed:
            raise JobAbandoned

    def counted(self, rows: Iterable, stage: str, header: bool = False) -> Iterator:
        """The rows, unchanged, each reported as done as the next is asked for (a header, when there is
        one, is not counted): for a job that works through an iterable."""
        self.progress(0, stage=stage)
        done = -1 if header else 0
        for row in rows:
            yield row
            done += 1
            if done > 0:
                self.progress(done)
        self.done = max(done, 0)

    def write_file(self, filename: str, rows: Iterable, sheet_title: str = "Sheet1", stage: str = "") -> int:
        """Write the rows (header first) with the one spreadsheet writer to this job's file, for download
        as `filename`; CSV or XLSX by its extension. Returns the number of rows after the header."""
        path = file_path(current_app, self.queue_ref, filename)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        try:
            rows = self.counted(rows, stage or "Writing rows", header=True)
            spreadsheets.write_file(partial, rows, filename, sheet_title)
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
        self.file_name = filename
        return self.done


JobFunction = Callable[[Run], dict]
KINDS: dict[str, JobFunction] = {}


def job_kind(name: str) -> Callable[[JobFunction], JobFunction]:
    """Register a job function under `name`: it gets a `Run` and returns the result its page shows,
    {"summary": [[label, value], ...]} and optionally {"next": [endpoint, link text]}."""

    def register(function: JobFunction) -> JobFunction:
        KINDS[name] = function
        return function

    return register


def threshold() -> int:
    """Imports and exports of more rows than this run as jobs."""
    return current_app.config["JOB_THRESHOLD_ROWS"]


def _active_key(actor, kind: str, params: dict) -> str:
    described = json.dumps([kind, actor.id, params], sort_keys=True, default=str)
    return hashlib.sha256(described.encode()).hexdigest()


def _unfinished(key: str) -> Job | None:
    return db.session.scalar(select(Job).where(Job.active_key == key, Job.status.in_(UNFINISHED)))


def start(actor, kind: str, title: str, params: dict, total: int) -> tuple[Job, bool]:
    """Ask for a job, in the caller's unit of work: it is queued (or run) once that commits. When this
    person already has the same job (kind and parameters) waiting or running, that job is returned with
    False, also when both were asked for at the same moment: a unique key holds one of them back."""
    if kind not in KINDS:
        raise ValueError(f"No job function is registered for {kind!r}")
    key = _active_key(actor, kind, params)
    for _attempt in range(3):
        existing = _unfinished(key)
        if existing is not None:
            return existing, False
        job = Job(
            kind=kind,
            title=title[:200],
            params=params,
            active_key=key,
            queue_ref=uuid.uuid4().hex,
            progress_total=total,
            started_by_id=actor.id,
        )
        try:
            with savepoint():
                db.session.add(job)
                db.session.flush()
        except IntegrityError:
            continue  # the same job was asked for at the same moment and holds the key: look again
        after_commit(partial(_dispatch, job.id, job.queue_ref))
        return job, True
    raise RuntimeError(f"Could not start or find the {kind} job")


def follow(job: Job, created: bool) -> Response:
    """Send the person to the job's progress page, saying so when they had already asked for this."""
    if not created:
        flash("You already asked for this. It is still being prepared: here is how far it has got.", "info")
    return redirect(url_for("jobs.job_page", job_id=job.id))


def queue_url(app: Flask) -> str | None:
    """The Redis that holds the job queue: JOB_REDIS_URL if set, else REDIS_URL; None runs jobs in the
    request."""
    return app.config.get("JOB_REDIS_URL") or app.config.get("REDIS_URL") or None


def redis_connection(app: Flask) -> Redis:
    """The app's one Redis client for the job queue (it keeps a pool of connections)."""
    clients = app.extensions.setdefault("crm_jobs_redis", {})
    url = queue_url(app)
    if url not in clients:
        clients[url] = Redis.from_url(url)
    return clients[url]


def queue(app: Flask) -> rq.Queue:
    return rq.Queue(app.config["JOB_QUEUE"], connection=redis_connection(app))


def _dispatch(job_id: int, queue_ref: str) -> None:
    app = current_app._get_current_object()
    if not queue_url(app):
        perform(job_id)
        return
    try:
        queue(app).enqueue(
            perform,
            job_id,
            job_id=queue_ref,
            job_timeout=app.config["JOB_TIMEOUT"],
            result_ttl=app.config["JOB_RESULT_TTL"],
            failure_ttl=app.config["JOB_RESULT_TTL"],
            description=f"job {job_id}",
        )
    except RedisError:
        logger.exception("job %s could not be queued", job_id)
        with unit_of_work():
            _fail(job_id, NOT_QUEUED)


def perform(job_id: int) -> str:
    """Run one job to the end: what RQ's worker calls (inside the app), and the request without Redis.
    Returns what became of it: "done", "failed", or "skipped" when it was not waiting to run."""
    with unit_of_work():
        now = utc_now()
        claimed = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
        ).rowcount
    if not claimed:
        return "skipped"
    run = None
    try:
        with unit_of_work():
            job = db.session.get(Job, job_id)
            run = Run(
                id=job.id,
                kind=job.kind,
                params=dict(job.params),
                actor=job.started_by,
                total=job.progress_total,
                queue_ref=job.queue_ref,
                _live=db.engine.dialect.name != "sqlite",
            )
            result = KINDS[job.kind](run)
            _finish(run, result)
    except Exception as error:
        if run is not None and run.file_name:
            file_path(current_app, run.queue_ref, run.file_name).unlink(missing_ok=True)
        with unit_of_work():
            _fail(job_id, _message(error))
        return "failed"
    return "done"


def _message(error: Exception) -> str:
    if isinstance(error, JobFailed):
        text = str(error)
        return text if NOTHING_SAVED in text else f"{text} {NOTHING_SAVED}"
    if isinstance(error, JobAbandoned):
        return LOST
    if isinstance(error, JobTimeoutException):
        return TOO_LONG.format(minutes=current_app.config["JOB_TIMEOUT"] // 60)
    logger.exception("job failed")
    return UNEXPECTED


def _finish(run: Run, result: dict) -> None:
    now = utc_now()
    changed = db.session.execute(
        update(Job)
        .where(Job.id == run.id, Job.status == JobStatus.RUNNING)
        .values(
            status=JobStatus.DONE,
            result=result,
            file_name=run.file_name,
            progress_done=max(run.done, 0),
            progress_total=max(run.total, run.done),
            finished_at=now,
            heartbeat_at=now,
            active_key=None,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed != 1:
        raise JobAbandoned  # marked failed meanwhile: its changes must not commit after all


def _fail(job_id: int, message: str) -> bool:
    """Mark an unfinished job failed, in the caller's unit of work. False if it had already finished."""
    return bool(
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_(UNFINISHED))
            .values(status=JobStatus.FAILED, error=message, finished_at=utc_now(), active_key=None)
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def notice_lost(job: Job) -> None:
    """Mark failed, in the caller's unit of work, a job whose worker has gone: it has not reported for
    JOB_TIMEOUT, or RQ says it failed or no longer knows it. Its work never committed, so nothing of it
    was saved; if it is still running somewhere, it finds itself failed and does not commit."""
    if job.is_finished:
        return
    app = current_app._get_current_object()
    silent_for = utc_now() - (job.heartbeat_at or job.created_at)
    message = None
    if silent_for > timedelta(seconds=app.config["JOB_TIMEOUT"]):
        message = NEVER_STARTED if job.status == JobStatus.QUEUED else LOST
    elif queue_url(app):
        try:
            status = rq.job.Job.fetch(job.queue_ref, connection=redis_connection(app)).get_status()
        except NoSuchJobError:
            status = None
        except RedisError:
            return  # the queue cannot be asked now; the timeout still applies
        if status in (None, rq.job.JobStatus.FAILED, rq.job.JobStatus.STOPPED, rq.job.JobStatus.CANCELED):
            message = LOST
    if message and _fail(job.id, message):
        db.session.refresh(job)


def file_path(app: Flask, queue_ref: str, file_name: str) -> Path:
    """Where a job's file is kept: JOB_FILES, under the job's random queue id and the file's extension."""
    return Path(app.config["JOB_FILES"]) / f"{queue_ref}{PurePath(file_name).suffix.lower()}"


class Worker(rq.Worker):
    """RQ's worker, running each job inside the app, so with its configuration and database. RQ forks a
    work horse for each job; the horse makes its own database connections rather than share the worker's.
    If the horse dies (killed, out of memory), its job is marked failed at once."""

    def __init__(self, app: Flask, **kwargs):
        self.app = app
        super().__init__(
            [queue(app)],
            connection=redis_connection(app),
            work_horse_killed_handler=self._horse_killed,
            **kwargs,
        )

    def main_work_horse(self, job, queue):
        with self.app.app_context():
            db.engine.dispose(close=False)  # the parent's connections stay the parent's
        super().main_work_horse(job, queue)

    def perform_job(self, job, queue, execution) -> bool:
        with self.app.app_context():
            return super().perform_job(job, queue, execution)

    def _horse_killed(self, job, retpid, ret_val, rusage) -> None:
        job_id = job.args[0] if job.args else None
        if isinstance(job_id, int):
            with self.app.app_context(), unit_of_work():
                _fail(job_id, LOST)


def recent_jobs(user_id: int, limit: int = 50) -> list[Job]:
    """A person's own jobs, newest first."""
    return list(
        db.session.scalars(
            select(Job)
            .where(Job.started_by_id == user_id)
            .order_by(Job.created_at.desc(), Job.id.desc())
            .limit(limit)
        )
    )
