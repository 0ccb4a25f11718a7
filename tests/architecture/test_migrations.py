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


def test_models_and_migrations_agree(database_url):
    """`flask db check` fails if the models hold a change no migration makes."""
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": database_url}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
