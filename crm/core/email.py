"""The outbox: every email the app sends is first a row of `outbound_email`, written in the caller's unit
of work, so a message is sent only if the change that asked for it was saved, and is kept if sending fails.

Delivery uses the standard library's smtplib when `SMTP_HOST` is set, once the unit of work has committed;
whatever fails stays in the outbox as unsent, with the error, for `flask --app wsgi crm send-email` to retry.
Without `SMTP_HOST` (development and tests) messages stay in the outbox and are logged, not sent: read them
from the table.
"""

import logging
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from functools import partial

from flask import current_app
from sqlalchemy import Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.models import UTCDateTime, utc_now
from crm.core.transaction import after_commit, unit_of_work
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
