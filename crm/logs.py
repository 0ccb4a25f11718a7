"""Logs that help at 2am: one JSON line per request, a request id people can quote, and slow queries.

Written with the standard library's `logging`: the JSON formatter is a few lines, so a dependency would only
add an upgrade to track.
"""

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import current_app, g, has_app_context, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

request_log = logging.getLogger("crm.request")
sql_log = logging.getLogger("crm.sql")

# A load balancer's or caller's id is kept so one request can be followed across systems. Anything else is
# replaced: the value goes into logs and a header, so it must not be able to forge log lines or fill them.
# A client can choose its id, so ids correlate log lines; they prove nothing.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Attributes every LogRecord has; anything else on a record came from `extra=` and belongs in the line.
_RECORD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def request_id() -> str:
    """This request's id, chosen once; made here too in case a hook refused the request before ours ran."""
    if "request_id" not in g:
        incoming = request.headers.get("X-Request-Id", "") if has_request_context() else ""
        g.request_id = incoming if SANE_REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)
    return g.request_id


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so a log search can filter on any field and a traceback stays in its line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry |= {key: value for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES}
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestIdFilter(logging.Filter):
    """Stamps the request id on any record logged during a request, such as Flask's unhandled exceptions."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id() if has_request_context() else None
        return True


def init_logging(app) -> None:
    """Call first in create_app: CSRF and rate limits refuse requests in their own before_request hooks, and
    those refusals need a start time and an id too."""
    _configure_handler(app)

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        request_id()

    def _signed_in_user_id() -> int | None:
        # From the session cookie, not current_user: the unit of work has committed by now, and reading the
        # user object again would cost a query on every request.
        user_id = session.get("_user_id")
        return int(user_id) if user_id and str(user_id).isdigit() else None

    @app.after_request
    def log_request(response):
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started is not None else None
        response.headers["X-Request-Id"] = request_id()
        request_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                # The path only: query strings carry search terms, which can be people's names or emails.
                "path": request.path,
                "status": response.status_code,
                "duration_ms": duration_ms,
                # The id only, never a name or email: logs are kept longer and seen by more people.
                "user_id": _signed_in_user_id(),
                "request_id": request_id(),
            },
        )
        return response

    if not event.contains(Engine, "before_cursor_execute", _start_query_timer):
        # On the Engine class, once: tests and scripts build several apps, each with its own engine.
        event.listen(Engine, "before_cursor_execute", _start_query_timer)
        event.listen(Engine, "after_cursor_execute", _log_slow_query)


def _configure_handler(app) -> None:
    # Flask's own logger is named after the app ("crm"), so its unhandled-exception log with the traceback
    # passes this filter and carries the request id that the 500 page shows.
    crm_log = logging.getLogger("crm")
    crm_log.setLevel(app.config["LOG_LEVEL"])
    if not any(isinstance(f, RequestIdFilter) for f in crm_log.filters):
        crm_log.addFilter(RequestIdFilter())
    # One handler per process however many apps it builds; tests turn it off and read records with caplog.
    ours = [handler for handler in crm_log.handlers if isinstance(handler.formatter, JsonFormatter)]
    if app.config["LOG_TO_STDERR"] and not ours:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.addFilter(RequestIdFilter())  # for records from child loggers, which skip the logger filter
        crm_log.addHandler(handler)
    elif not app.config["LOG_TO_STDERR"]:
        for handler in ours:
            crm_log.removeHandler(handler)


def _start_query_timer(conn, cursor, statement, parameters, context, executemany):
    if context is not None:
        context.crm_query_started = time.perf_counter()


def _log_slow_query(conn, cursor, statement, parameters, context, executemany):
    started = getattr(context, "crm_query_started", None)
    if started is None or not has_app_context():
        return
    duration_ms = (time.perf_counter() - started) * 1000
    if duration_ms < current_app.config["SLOW_QUERY_MS"]:
        return
    # The statement's text only, never its parameters: they hold names, emails and feedback.
    sql_log.warning(
        "slow query: %.1f ms",
        duration_ms,
        extra={
            "duration_ms": round(duration_ms, 1),
            "statement": " ".join(statement.split())[:500],
            "request_id": request_id() if has_request_context() else None,
        },
    )
