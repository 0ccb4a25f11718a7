"""The unit of work: the one place Community Voice commits or rolls back (DESIGN rule 5).

Services change the session and never commit. A request is one unit of work: it is committed after the view
returns a success or a redirect, and rolled back when the view refused the change (`discard`), returned an
error status, or raised. CLI commands and background jobs wrap their work in `unit_of_work()`. So a change
and its audit events are saved together or not at all, and a failure half-way leaves nothing half-done.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, Response, g
from sqlalchemy import Executable

from crm.extensions import db

log = logging.getLogger(__name__)
_AFTER_COMMIT = "crm_after_commit"


def discard() -> None:
    """Drop everything this unit of work changed: a service refused, and the page shows why."""
    _roll_back()
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
    """Commit, then call what waited for it; if the commit fails, roll back (and drop those) and raise."""
    try:
        db.session.commit()
    except Exception:
        _roll_back()
        raise
    for callback in db.session.info.pop(_AFTER_COMMIT, []):
        callback()


def _roll_back() -> None:
    """Roll back, and never raise: when the database connection has dropped, the rollback fails too, and
    raising then would replace the page explaining the first error with a bare "Internal Server Error".
    The connection is let go instead, so the pool gives the next request a fresh one (no restart needed)."""
    db.session.info.pop(_AFTER_COMMIT, None)
    try:
        db.session.rollback()
    except Exception:
        log.warning("Rollback failed: dropping the database connection", exc_info=True)
        _drop_connection()


def _drop_connection() -> None:
    try:
        db.session().invalidate()  # the session itself: the scoped proxy does not offer invalidate
    except Exception:  # nothing more can be done with it, and the pool will not hand it out again
        log.warning("Could not drop the database connection cleanly", exc_info=True)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block changed if it finishes; roll it all back if it raises."""
    try:
        yield
    except BaseException:
        _roll_back()
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
    # here, before the response is sent, so nobody is told something was saved when it was not (rule 4), and
    # the error page is shown instead. The commit may have reached the database before the connection
    # dropped: forms that must not be saved twice carry a one-time token, so sending one again is safe.
    if response.status_code < 400 and not g.pop("unit_of_work_discarded", False):
        _commit()
    else:
        _roll_back()
    return response


def _release_session(error: BaseException | None = None) -> None:
    # Before Flask-SQLAlchemy's own teardown: an error raised in a teardown has no page of ours to show.
    try:
        db.session.close()
    except Exception:
        log.warning("Closing the database session failed: dropping its connection", exc_info=True)
        _drop_connection()


def init_app(app: Flask) -> None:
    app.after_request(_finish_request)
    app.teardown_appcontext(_release_session)
