"""Statuses and kinds held by CHECK constraints, so the database refuses a value the code does not know.

The values are written out here, as they stood when this revision was made: a later change to a Choice
needs a revision of its own. On SQLite, adding a constraint rebuilds the table, which drops the feedback
table's full-text triggers, so they are made again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 06:05:00

"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ALLOWED = {
    "community_group": {
        "kind": ["vcse", "faith", "network", "informal", "youth_panel", "commission", "statutory_partner"],
        "status": ["active", "dormant", "closed"],
        "source": ["officer", "self_registered"],
    },
    "consultation": {
        "status": ["draft", "scheduled", "open", "closed", "analysed", "outcome_published"],
    },
    "eia": {
        "status": ["draft", "in_review", "approved", "published", "superseded"],
        "screening_decision": ["full", "not_needed", ""],
        "outcome": ["no_major_change", "adjust", "continue", "stop", ""],
    },
    "eia_action": {
        "status": ["planned", "in_progress", "done", "dropped"],
    },
    "eia_finding": {
        "direction": ["positive", "negative", "neutral", "unknown"],
        "severity": ["high", "medium", "low", "none", ""],
    },
    "engagement_event": {
        "kind": [
            "street_outreach",
            "workshop",
            "focus_group",
            "drop_in",
            "public_meeting",
            "webinar",
            "stall",
            "commission_meeting",
            "one_to_one",
        ],
        "coproduction_level": ["inform", "consult", "involve", "collaborate", "empower"],
    },
    "feedback": {
        "source": ["response", "event", "email", "phone", "letter", "meeting", "social_media"],
        "status": ["new", "coded", "excluded"],
        "stance": ["support", "oppose", "mixed", "neutral"],
    },
    "outcome": {
        "status": ["draft", "published"],
    },
    "policy": {
        "kind": ["policy", "strategy", "scheme", "programme", "review", "deliverable"],
        "status": ["emerging", "in_development", "consultation", "adopted", "under_review", "retired"],
    },
    "policy_influence": {
        "use": ["changed", "mitigation", "no_change"],
    },
    "question": {
        "kind": ["free_text", "single_choice", "multiple_choice", "agreement"],
    },
    "response": {
        "channel": ["online", "paper", "email", "phone", "event"],
        "respondent_kind": ["individual", "group"],
        "status": ["received", "accepted", "spam", "withdrawn"],
    },
    "staff_user": {
        "role": ["admin", "engagement_officer", "policy_lead", "equality_lead", "viewer"],
    },
}
# As migration 0004 made them: they keep feedback_fts in step with feedback on SQLite.
SQLITE_FEEDBACK_TRIGGERS = [
    "CREATE TRIGGER feedback_fts_insert AFTER INSERT ON feedback BEGIN "
    "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER feedback_fts_delete AFTER DELETE ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER feedback_fts_update AFTER UPDATE OF text ON feedback BEGIN "
    "INSERT INTO feedback_fts(feedback_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO feedback_fts(rowid, text) VALUES (new.id, new.text); END",
]


def _condition(column: str, values: list[str]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def _feedback_triggers(action: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    if action == "drop":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS feedback_fts_{trigger}")
    else:
        for statement in SQLITE_FEEDBACK_TRIGGERS:
            op.execute(statement)


def upgrade():
    _feedback_triggers("drop")
    for table, columns in ALLOWED.items():
        with op.batch_alter_table(table) as batch:
            for column, values in columns.items():
                batch.create_check_constraint(
                    op.f(f"ck_{table}_{column}_allowed"), _condition(column, values)
                )
    _feedback_triggers("create")


def downgrade():
    _feedback_triggers("drop")
    for table, columns in ALLOWED.items():
        with op.batch_alter_table(table) as batch:
            for column in columns:
                batch.drop_constraint(op.f(f"ck_{table}_{column}_allowed"), type_="check")
    _feedback_triggers("create")
