"""People's data requests, the organisation's contact details, the email outbox, and who handles requests.

data_request: a person's request (withdraw, copy, erase, correct, other) with its legal due date, status,
identity check and the hash of its single-use confirmation token; data_request_note: its history.
organisation_details: one row, edited by admins, shown on /contact. outbound_email: every message the app
sends, written in the unit of work that asked for it. staff_user.handles_data_requests: the permission to
work the data request queue (admins have it anyway).

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 12:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisation_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("dpo_name", sa.String(length=120), nullable=False),
        sa.Column("dpo_email", sa.String(length=254), nullable=False),
        sa.Column("dpo_address", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_details")),
    )
    op.create_table(
        "outbound_email",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_email")),
    )
    with op.batch_alter_table("outbound_email", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_email_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_email_sent_at"), ["sent_at"], unique=False)

    op.create_table(
        "data_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requester_name", sa.String(length=120), nullable=False),
        sa.Column("requester_email", sa.String(length=254), nullable=False),
        sa.Column("receipt_reference", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=True),
        sa.Column("identity_check", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "identity_check IN ('awaiting', 'confirmed', 'not_checked', 'checked_by_staff')",
            name=op.f("ck_data_request_identity_check_allowed"),
        ),
        sa.CheckConstraint(
            "kind IN ('withdraw', 'access', 'erase', 'correct', 'other')",
            name=op.f("ck_data_request_kind_allowed"),
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'completed', 'refused')",
            name=op.f("ck_data_request_status_allowed"),
        ),
        sa.ForeignKeyConstraint(
            ["handled_by_id"], ["staff_user.id"], name=op.f("fk_data_request_handled_by_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["response.id"],
            name=op.f("fk_data_request_response_id_response"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_request")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_data_request_token_hash")),
    )
    with op.batch_alter_table("data_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_request_closed_at"), ["closed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_request_due_on"), ["due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_request_handled_by_id"), ["handled_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_request_response_id"), ["response_id"], unique=False)
        batch_op.create_index("ix_data_request_status_due", ["status", "due_on"], unique=False)

    op.create_table(
        "data_request_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["staff_user.id"], name=op.f("fk_data_request_note_author_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["data_request.id"],
            name=op.f("fk_data_request_note_request_id_data_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_request_note")),
    )
    with op.batch_alter_table("data_request_note", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_data_request_note_request_id"), ["request_id"], unique=False)

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handles_data_requests", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("handles_data_requests")

    with op.batch_alter_table("data_request_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_request_note_request_id"))

    op.drop_table("data_request_note")
    with op.batch_alter_table("data_request", schema=None) as batch_op:
        batch_op.drop_index("ix_data_request_status_due")
        batch_op.drop_index(batch_op.f("ix_data_request_response_id"))
        batch_op.drop_index(batch_op.f("ix_data_request_handled_by_id"))
        batch_op.drop_index(batch_op.f("ix_data_request_due_on"))
        batch_op.drop_index(batch_op.f("ix_data_request_closed_at"))

    op.drop_table("data_request")
    with op.batch_alter_table("outbound_email", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbound_email_sent_at"))
        batch_op.drop_index(batch_op.f("ix_outbound_email_created_at"))

    op.drop_table("outbound_email")
    op.drop_table("organisation_details")
