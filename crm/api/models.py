"""What the API itself keeps: the idempotency keys of creates, so a field device that sends a create again
(it lost the answer to a dropped connection) gets the record it made the first time, not a second one."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.models import UTCDateTime, utc_now
from crm.extensions import db


class IdempotencyKey(db.Model):
    __tablename__ = "api_idempotency_key"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_api_idempotency_key_user_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Keys are the caller's own: two people may pick the same one.
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"))
    key: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the request body: the same key with a different body is a mistake, refused.
    request_hash: Mapped[str] = mapped_column(String(64))
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, index=True)
