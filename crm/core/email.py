"""The outbox: every email the app sends is first a row of `outbound_email`, written in the caller's unit
of work, so a message is sent only if the change that asked for it was saved, and is kept if sending fails.

Delivery uses the standard library's smtplib when `SMTP_HOST` is set, once the unit of work has committed;
whatever fails stays in the outbox as unsent, with the error, for `flask --app wsgi crm send-email` to retry.
Without `SMTP_HOST` (development and tests) messages stay in the outbox and are logged, not sent: admins
read them at /staff/admin/email (crm/auth/email_views.py), which is also the delivery log where mail is sent.
A background job sending many (crm/engagement/jobs.py) uses deliver_each_now, which records each message
as soon as the server answers, so a job run again never sends one twice.
"""

import logging
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from functools import partial

from flask import current_app
from sqlalchemy import Integer, String, Text, case, func, select, update
from sqlalchemy.orm import Mapped, defer, mapped_column

from crm.core.models import UTCDateTime, utc_now
from crm.core.pagination import BoundedPagination, paginate
from crm.core.transaction import after_commit, record_now, unit_of_work
from crm.extensions import db

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class OutboundEmail(db.Model):
    __tablename__ = "outbound_email"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # What the message is for ("data_request.confirm"), so it can be found without reading its text.
    purpose: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")

    @property
    def status(self) -> str:
        """sent; failed (the server refused it, or could not be reached: tried again later); given up (failed
        MAX_ATTEMPTS times); or waiting."""
        if self.sent_at is not None:
            return "sent"
        if self.attempts >= MAX_ATTEMPTS:
            return "given up"
        return "failed" if self.last_error else "waiting"


def send(to: str, subject: str, body: str, purpose: str = "", deliver_now: bool = True) -> OutboundEmail:
    """Put a message in the outbox in the current unit of work; it is delivered after the commit (if SMTP
    is configured), never if the unit of work is rolled back. A caller sending many passes deliver_now=False
    and delivers them together (deliver_after_commit), in one SMTP connection."""
    message = OutboundEmail(to_address=to, subject=subject, body=body, purpose=purpose)
    db.session.add(message)
    db.session.flush()
    if not deliver_now:
        return message
    if current_app.config.get("SMTP_HOST"):
        after_commit(partial(_deliver_after_commit, current_app._get_current_object(), message.id))
    else:
        log.info("Email kept in the outbox (SMTP_HOST is not set)", extra={"email_id": message.id})
    return message


def _deliver_after_commit(app, message_id: int) -> None:
    # A unit of work of its own, in a fresh app context (so a session of its own): the one that asked for
    # the message has committed, and a failure here must not touch it.
    with app.app_context(), unit_of_work():
        deliver([message_id])


def deliver_after_commit(ids: list[int]) -> None:
    """Send these outbox messages together once the current unit of work has committed (SMTP permitting)."""
    if current_app.config.get("SMTP_HOST") and ids:
        after_commit(partial(_deliver_many, current_app._get_current_object(), list(ids)))


def _deliver_many(app, ids: list[int]) -> None:
    with app.app_context(), unit_of_work():
        deliver(ids, limit=len(ids))


def deliver(ids: list[int] | None = None, limit: int = 100) -> int:
    """Send unsent messages (those named, or the oldest `limit`) by SMTP. Returns how many were sent. The
    caller commits: each message's sent_at or error is recorded on its row."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return 0
    query = select(OutboundEmail).where(
        OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < MAX_ATTEMPTS
    )
    if ids is not None:
        query = query.where(OutboundEmail.id.in_(ids))
    messages = list(db.session.scalars(query.order_by(OutboundEmail.id).limit(limit)))
    if not messages:
        return 0
    sent = 0
    try:
        with _connect(config) as smtp:
            for message in messages:
                message.attempts += 1
                try:
                    smtp.send_message(_as_mime(message, config["MAIL_FROM"]))
                except smtplib.SMTPException as error:
                    message.last_error = str(error)[:500]
                    log.warning("Email not sent", extra={"email_id": message.id})
                else:
                    message.sent_at = utc_now()
                    message.last_error = ""
                    sent += 1
    except (OSError, smtplib.SMTPException) as error:  # the server could not be reached or refused us
        for message in messages:
            if message.sent_at is None:
                message.last_error = f"Could not connect: {error}"[:500]
        log.warning("Could not reach the SMTP server", exc_info=True)
    return sent


def deliver_each_now(ids: list[int], progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Send these unsent messages in one SMTP connection, writing each one's sent time or error on a
    connection of its own as soon as the server has answered, whatever becomes of the caller's unit of
    work: for a background job, whose own changes commit only at its end, so that a job stopped half-way
    and run again skips what it had already sent. Returns (sent, failed). `progress` is told how many
    messages have been tried so far."""
    config = current_app.config
    if not config.get("SMTP_HOST") or not ids:
        return 0, 0
    waiting = select(OutboundEmail).where(
        OutboundEmail.id.in_(ids), OutboundEmail.sent_at.is_(None), OutboundEmail.attempts < MAX_ATTEMPTS
    )
    # Read as they are now (not as this session last saw them) and then left alone: the session writes
    # nothing, so on SQLite it holds no lock against the writes below.
    messages = list(
        db.session.scalars(waiting.order_by(OutboundEmail.id).execution_options(populate_existing=True))
    )
    sent = failed = tried = 0
    try:
        with _connect(config) as smtp:
            for message in messages:
                try:
                    smtp.send_message(_as_mime(message, config["MAIL_FROM"]))
                except smtplib.SMTPException as error:
                    _record(message.id, last_error=str(error)[:500])
                    log.warning("Email not sent", extra={"email_id": message.id})
                    failed += 1
                else:
                    _record(message.id, sent_at=utc_now(), last_error="")
                    sent += 1
                tried += 1
                if progress is not None:
                    progress(tried)
    except (OSError, smtplib.SMTPException) as error:  # the server could not be reached or dropped us
        for message in messages[tried:]:
            _record(message.id, counts_attempt=False, last_error=f"Could not connect: {error}"[:500])
        log.warning("Could not reach the SMTP server", exc_info=True)
        failed = len(messages) - sent
    return sent, failed


def _record(message_id: int, counts_attempt: bool = True, **values) -> None:
    if counts_attempt:
        values["attempts"] = OutboundEmail.attempts + 1
    # Only a message still unsent: one another run sent meanwhile stays as it is.
    record_now(
        update(OutboundEmail)
        .where(OutboundEmail.id == message_id, OutboundEmail.sent_at.is_(None))
        .values(**values)
    )


def _connect(config) -> smtplib.SMTP:
    host, port = config["SMTP_HOST"], int(config.get("SMTP_PORT") or 587)
    timeout = 30
    if config.get("SMTP_SSL"):
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("SMTP_STARTTLS", True):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    return smtp


def _as_mime(message: OutboundEmail, sender: str) -> EmailMessage:
    mime = EmailMessage()
    mime["From"] = sender
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime.set_content(message.body)
    return mime


def sending_enabled() -> bool:
    """Whether this environment sends email at all: without SMTP_HOST (development, `make run`) messages
    are only kept in the outbox, where admins read them."""
    return bool(current_app.config.get("SMTP_HOST"))


def outbox(page: int, per_page: int = 50) -> BoundedPagination:
    """The outbox newest first, without the messages' bodies (the message page shows one)."""
    query = (
        select(OutboundEmail)
        .options(defer(OutboundEmail.body))
        .order_by(OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    )
    return paginate(query, page, per_page)


def outbox_counts() -> dict[str, int]:
    """How many messages are sent, waiting, failed (to be tried again) and given up, in one query."""
    unsent = OutboundEmail.sent_at.is_(None)
    given_up = unsent & (OutboundEmail.attempts >= MAX_ATTEMPTS)
    failed = unsent & (OutboundEmail.attempts < MAX_ATTEMPTS) & (OutboundEmail.last_error != "")
    waiting = unsent & (OutboundEmail.attempts < MAX_ATTEMPTS) & (OutboundEmail.last_error == "")

    def counted(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        select(
            counted(OutboundEmail.sent_at.is_not(None)), counted(waiting), counted(failed), counted(given_up)
        )
    ).one()
    return dict(zip(("sent", "waiting", "failed", "given up"), (int(value) for value in row), strict=True))
