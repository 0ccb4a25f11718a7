"""The shape of the code: one place commits, and imports go one way (DESIGN §6, rule 5)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRM = ROOT / "crm"
UNIT_OF_WORK = CRM / "core" / "transaction.py"


def _session_endings(path: Path, root: Path = ROOT) -> list[str]:
    """Every call of something's .commit() or .rollback() in a module, as "file:line"."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")
        ):
            found.append(f"{path.relative_to(root)}:{node.lineno} {node.func.attr}()")
    return found


def test_only_the_unit_of_work_commits_or_rolls_back():
    offenders = [
        ending
        for path in sorted(CRM.rglob("*.py"))
        if path != UNIT_OF_WORK
        for ending in _session_endings(path)
    ]
    assert offenders == [], "commit and roll back only in crm/core/transaction.py:\n" + "\n".join(offenders)


def test_the_check_finds_a_commit(tmp_path):
    sample = tmp_path / "service.py"
    sample.write_text("def save(db):\n    db.session.add(1)\n    db.session.commit()\n")
    assert [ending.split(" ")[1] for ending in _session_endings(sample, tmp_path)] == ["commit()"]


def test_imports_go_one_way():
    """The import-linter contracts in pyproject.toml: areas import only the areas below them."""
    result = subprocess.run(  # noqa: S603 (our own tool, from our own virtual environment)
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
