"""Idempotency keys for API creates: the first request with a key makes the record; a replay with the same
key and body gets that record back; the same key with another body is refused."""

from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crm.api.models import IdempotencyKey
from crm.extensions import db


def claim(user_id: int, key: str, request_hash: str) -> int | None:
    """Claim `key` for this request: None when it is new (the caller goes on to create), or the id of the
    record a first request with the same key and body made. The claim is flushed at once, inside a savepoint,
    so of two requests racing with one key the second fails here, not after making a duplicate."""
    existing = _existing(user_id, key)
    if existing is None:
        try:
            with db.session.begin_nested():
                db.session.add(IdempotencyKey(user_id=user_id, key=key, request_hash=request_hash))
        except IntegrityError:
            existing = _existing(user_id, key)
            if existing is None or existing.feedback_id is None:
                abort(
                    409,
                    message="A request with this Idempotency-Key is still being handled. Try again shortly.",
                )
        else:
            return None
    if existing.request_hash != request_hash:
        abort(
            422,
            message="This Idempotency-Key was used for a different request.",
            errors={"headers": {"Idempotency-Key": ["Already used with a different body."]}},
        )
    if existing.feedback_id is None:
        abort(409, message="A request with this Idempotency-Key is still being handled. Try again shortly.")
    return existing.feedback_id


def record(user_id: int, key: str, feedback_id: int) -> None:
    row = _existing(user_id, key)
    row.feedback_id = feedback_id


def _existing(user_id: int, key: str) -> IdempotencyKey | None:
    return db.session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    )
