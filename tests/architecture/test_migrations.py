import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_have_one_head_and_numbered_revisions():
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    assert len(scripts.get_heads()) == 1
    for revision in scripts.walk_revisions():
        assert revision.revision.isdigit() and len(revision.revision) == 4


def _flask_db(env: dict, *args: str) -> None:
    """Run `flask db ...` as an operator would, in a process of its own; fail with what it printed."""
    result = subprocess.run(  # noqa: S603 (the arguments are the tests' own)
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_models_and_migrations_agree(database_url):
    """`flask db check` fails if the models hold a change no migration makes."""
    _flask_db({"CRM_ENV": "test", "TEST_DATABASE_URL": database_url}, "check")


def _check_constraints(metadata) -> set[str]:
    from sqlalchemy import CheckConstraint

    return {
        constraint.name
        for table in metadata.sorted_tables
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }


def test_every_choice_the_models_hold_is_in_the_database(app):
    """Alembic does not compare CHECK constraints, so this does: each one the models declare was migrated."""
    from sqlalchemy import inspect

    from crm.extensions import db

    declared = _check_constraints(db.metadata)
    inspector = inspect(db.engine)
    migrated = {
        constraint["name"]
        for table in inspector.get_table_names()
        for constraint in inspector.get_check_constraints(table)
    }
    assert declared, "no model declares its allowed values"
    assert declared <= migrated, f"declared but not migrated: {sorted(declared - migrated)}"


def test_the_database_refuses_a_status_the_code_does_not_know(app):
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from crm.extensions import db
    from tests.factories import make_policy

    policy = make_policy()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE policy SET status = 'abolished' WHERE id = :id"), {"id": policy.id})
        db.session.flush()
    db.session.rollback()
