"""Equality-monitoring answers, kept apart from the responses that gave them (DESIGN rule 2, issue 12).

From the database alone, or a copy of it, no monitoring answer can be joined to its response:

- A response's answers are not written beside it. Its transaction stores them *sealed* (encrypted under a key
  held outside the database) in `monitoring_waiting`, so a row that shares the response's transaction id
  holds nothing readable.
- Once `batch_size()` or more responses to a consultation are waiting, they are published together, in a
  transaction of their own, in a shuffled order, into `monitoring_answer`: every answer in a batch has the
  same transaction id, and their order and ids say nothing about whose they are. A batch is at least as
  big as the suppression threshold k, so the report also moves only in steps of k or more people: comparing
  today's figures with yesterday's never shows one person's answers (the "over time" rule).
- The only link is each answer's id: a keyed hash (HMAC-SHA256) of the receipt reference and the question,
  under MONITORING_LINK_KEY (or SECRET_KEY). With the key and a receipt, a person's answers can be withdrawn;
  without the key the ids are random to anyone who reads them.
- Marking a response as spam or withdrawn changes nothing here (an update in that transaction would join
  them again). Once `batch_size()` or more of a consultation's responses have stopped counting, their
  answers' ids are published together into `monitoring_excluded`, shuffled, in a transaction of their own,
  and the counts leave those answers out: so the figures drop in steps of k or more people too, and marking
  one response never shows its answers as the difference. A response whose answers were left out stays out
  if its status changes back (counting it again would show its answers as the difference).
"""

import base64
import hashlib
import hmac
import json
import logging
import random
from collections.abc import Iterable

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import delete, func, insert, select, update

from crm.consultations import monitoring
from crm.consultations.models import (
    COUNTED_STATUSES,
    Consultation,
    MonitoringAnswer,
    MonitoringExcluded,
    MonitoringWaiting,
    Response,
)
from crm.core import suppression, transaction
from crm.core.batches import batched
from crm.extensions import db

log = logging.getLogger(__name__)
WAITING = "\x00waiting"  # the "question" whose keyed hash names a response's waiting row
KEYS_PER_QUERY = 2000  # ids sent in one IN (...): well under PostgreSQL's 65,535 parameters


def _link_key() -> bytes:
    return (current_app.config.get("MONITORING_LINK_KEY") or current_app.config["SECRET_KEY"]).encode()


def answer_id(reference: str, question: str) -> str:
    """A response's answer to one question is stored under HMAC-SHA256(receipt reference, question)."""
    digest = hmac.new(_link_key(), f"{reference}\x00{question}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def answer_ids(reference: str) -> list[str]:
    # every question, not only those asked today: a question switched off since may still hold an answer
    return [answer_id(reference, question.code) for question in monitoring.QUESTIONS]


def _sealer() -> Fernet:
    """Authenticated encryption (Fernet: AES-128-CBC, HMAC-SHA256) under a key derived from the link key."""
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"community-voice monitoring waiting"
    ).derive(_link_key())
    return Fernet(base64.urlsafe_b64encode(derived))


def batch_size() -> int:
    """How many responses are published together: the suppression threshold k, or more if configured."""
    threshold, _minimum = suppression.settings()
    return max(threshold, int(current_app.config.get("MONITORING_BATCH_SIZE") or 0))


def hold(consultation: Consultation, reference: str, codes: dict[str, str]) -> None:
    """Keep a new response's monitoring answers, sealed, until a batch can be published, and publish the
    consultation's waiting batch once this unit of work has committed."""
    if not codes:
        return
    answers = [[answer_id(reference, question), question, answer] for question, answer in codes.items()]
    db.session.add(
        MonitoringWaiting(
            id=answer_id(reference, WAITING),
            consultation_id=consultation.id,
            sealed=_sealer().encrypt(json.dumps(answers).encode()).decode(),
        )
    )
    consultation_id = consultation.id
    transaction.after_commit(lambda: _publish_in_own_unit_of_work(consultation_id))


def _publish_in_own_unit_of_work(consultation_id: int) -> None:
    # The response is committed and acknowledged whatever happens here; waiting answers are published by
    # the next response, or by `flask crm monitoring-publish`, if this fails.
    try:
        with transaction.unit_of_work():
            publish_waiting(consultation_id)
    except Exception:
        log.exception("Publishing waiting monitoring answers failed (consultation %s)", consultation_id)


def publish_waiting(consultation_id: int, at_least: int | None = None) -> int:
    """Publish every waiting response of the consultation, shuffled, if `at_least` (the batch size) are
    waiting. Returns how many responses were published. The caller owns the transaction."""
    at_least = batch_size() if at_least is None else at_least
    # One read, locking what waits: a publisher that reads the same rows at once waits, then finds them
    # gone (PostgreSQL); SQLite has one writer, and a second insert of the same ids fails on their key.
    waiting = db.session.execute(
        select(MonitoringWaiting.id, MonitoringWaiting.sealed)
        .where(MonitoringWaiting.consultation_id == consultation_id)
        .with_for_update()
    ).all()
    if not waiting or len(waiting) < at_least:
        return 0
    sealer = _sealer()
    rows, published = [], []
    for id_, sealed in waiting:
        try:
            answers = json.loads(sealer.decrypt(sealed.encode()))
        except InvalidToken:  # sealed under another key: left waiting, for whoever holds that key
            log.error("A waiting monitoring row cannot be unsealed with this key; it is left waiting")
            continue
        published.append(id_)
        rows.extend(
            {"id": answer_key, "consultation_id": consultation_id, "question": question, "answer": answer}
            for answer_key, question, answer in answers
        )
    random.SystemRandom().shuffle(rows)
    if rows:
        db.session.execute(insert(MonitoringAnswer), rows)
    for chunk in batched(published, KEYS_PER_QUERY):
        db.session.execute(delete(MonitoringWaiting).where(MonitoringWaiting.id.in_(chunk)))
    return len(published)


def waiting_count(consultation_id: int) -> int:
    return (
        db.session.scalar(select(func.count()).where(MonitoringWaiting.consultation_id == consultation_id))
        or 0
    )


def forget(reference: str) -> int:
    """Delete a response's monitoring answers for good, published or waiting. Returns how many rows went."""
    ids = [*answer_ids(reference), answer_id(reference, WAITING)]
    gone = db.session.execute(delete(MonitoringAnswer).where(MonitoringAnswer.id.in_(ids))).rowcount
    return gone + db.session.execute(delete(MonitoringWaiting).where(MonitoringWaiting.id.in_(ids))).rowcount


def exclusions_changed(consultation: Consultation) -> None:
    """A response of the consultation stopped counting: once this unit of work has committed, publish the
    consultation's waiting exclusions if a batch is due."""
    consultation_id = consultation.id
    transaction.after_commit(lambda: _exclude_in_own_unit_of_work(consultation_id))


def _exclude_in_own_unit_of_work(consultation_id: int) -> None:
    # The status change is committed whatever happens here; the next one tries again.
    try:
        with transaction.unit_of_work():
            publish_exclusions(consultation_id)
    except Exception:
        log.exception("Leaving out monitoring answers failed (consultation %s)", consultation_id)


def _not_yet_left_out(consultation_id: int):
    return (
        Response.consultation_id == consultation_id,
        Response.status.not_in(COUNTED_STATUSES),
        Response.monitoring_excluded.is_(False),
    )


def publish_exclusions(consultation_id: int, at_least: int | None = None) -> int:
    """Leave out of the counts the answers of every response of the consultation that has stopped counting
    and is not yet left out, if `at_least` (the batch size) have: their ids in one shuffled insert. Returns
    how many responses were left out. The caller owns the transaction."""
    at_least = batch_size() if at_least is None else at_least
    due = db.session.execute(
        select(Response.id, Response.reference).where(*_not_yet_left_out(consultation_id)).with_for_update()
    ).all()
    if not due or len(due) < at_least:
        return 0
    rows = [
        {"id": answer_key, "consultation_id": consultation_id}
        for _id, reference in due
        for answer_key in answer_ids(reference)
    ]
    random.SystemRandom().shuffle(rows)
    db.session.execute(insert(MonitoringExcluded), rows)
    for chunk in batched([id_ for id_, _reference in due], KEYS_PER_QUERY):
        db.session.execute(update(Response).where(Response.id.in_(chunk)).values(monitoring_excluded=True))
    return len(due)


def exclusions_waiting(consultation_id: int) -> int:
    """Responses that have stopped counting whose answers still count, until a batch is due."""
    return db.session.scalar(select(func.count()).where(*_not_yet_left_out(consultation_id))) or 0


def counts(consultation_id: int) -> dict[str, dict[str, int]]:
    """Published answers per question and code, less those published as excluded. Two grouped statements:
    the whole tally (an index-only scan) and the excluded answers' tally (a join on their keys), which is
    cheaper than an anti-join that must read every answer's id. Only ever shown through suppression."""
    tally: dict[str, dict[str, int]] = {}
    for question, answer, count in _tally(MonitoringAnswer.consultation_id == consultation_id):
        tally.setdefault(question, {})[answer] = count
    left_out = db.session.execute(
        select(MonitoringAnswer.question, MonitoringAnswer.answer, func.count())
        .join(MonitoringExcluded, MonitoringExcluded.id == MonitoringAnswer.id)
        .where(
            MonitoringExcluded.consultation_id == consultation_id,
            MonitoringAnswer.consultation_id == consultation_id,
        )
        .group_by(MonitoringAnswer.question, MonitoringAnswer.answer)
    ).all()
    for question, answer, count in left_out:
        tally[question][answer] -= count
    return tally


def _tally(*conditions) -> Iterable[tuple[str, str, int]]:
    return db.session.execute(
        select(MonitoringAnswer.question, MonitoringAnswer.answer, func.count())
        .where(*conditions)
        .group_by(MonitoringAnswer.question, MonitoringAnswer.answer)
    ).all()
