"""The unit of work: the one place Community Voice commits or rolls back (DESIGN rule 5).

Services change the session and never commit. A request is one unit of work: it is committed after the view
returns a success or a redirect, and rolled back when the view refused the change (`discard`), returned an
error status, or raised. CLI commands and background jobs wrap their work in `unit_of_work()`. So a change
and its audit events are saved together or not at all, and a failure half-way leaves nothing half-done.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, g

from crm.extensions import db


def discard() -> None:
    """Drop everything this unit of work changed: a service refused, and the page shows why."""
    db.session.rollback()
    g.unit_of_work_discarded = True


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block changed if it finishes; roll it all back if it raises."""
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()


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
        db.session.commit()
    else:
        db.session.rollback()
    return response


def init_app(app: Flask) -> None:
    app.after_request(_finish_request)
