"""The unit of work: the one place Community Voice commits or rolls back (DESIGN rule 5).

Services change the session and never commit. A request is one unit of work: it is committed after the view
returns a success or a redirect, and rolled back when the view refused the change (`discard`), returned an
error status, or raised. CLI commands and background jobs wrap their work in `unit_of_work()`. So a change
and its audit events are saved together or not at all, and a failure half-way leaves nothing half-done.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, g
from sqlalchemy import Executable

from crm.extensions import db

_AFTER_COMMIT = "crm_after_commit"


def discard() -> None:
    """Drop everything this unit of work changed: a service refused, and the page shows why."""
    _rollback()
    g.unit_of_work_discarded = True


def after_commit(callback: Callable[[], None]) -> None:
    """Call `callback` once this unit of work has committed, and never if it is rolled back: for work that
    must find what was committed, such as a background job reading the row that asked for it."""
    db.session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def record_now(statement: Executable) -> int:
    """Run one statement on a connection of its own and commit it at once, whatever becomes of the unit of
    work under way: a job's progress, which its page must show while the job's own changes are uncommitted.
    Returns how many rows it changed."""
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount


def _commit() -> None:
    db.session.commit()
    for callback in db.session.info.pop(_AFTER_COMMIT, []):
        callback()


def _rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_AFTER_COMMIT, None)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block changed if it finishes; roll it all back if it raises."""
    try:
        yield
    except BaseException:
        _rollback()
        raise
    _commit()


@contextmanager
def savepoint() -> Iterator[None]:
    """Try a change that the database may refuse (a unique key, say) without losing the rest of the unit of
    work: on an error only the savepoint is rolled back, and the error is raised for the service to handle."""
    with db.session.begin_nested():
        yield


def _finish_request(response: Response) -> Response:
    # Redirects and pages are committed; a refusal or an error status keeps nothing. A failed commit raises
    # here, before the response is sent, so nobody is told something was saved when it was not (rule 4).
    if response.status_code < 400 and not g.pop("unit_of_work_discarded", False):
        _commit()
    else:
        _rollback()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_finish_request)
