"""The results as markdown tables on the terminal and as benchmark-results.json."""

import contextlib
import json
import math
import os
import platform
import subprocess
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def git_facts() -> dict:
    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args],  # noqa: S607 (git from the PATH, as a developer runs it)
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return ""

    return {
        "commit": git("rev-parse", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def machine_facts(postgres: dict | None = None) -> dict:
    memory = ""
    with contextlib.suppress(OSError):
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split(":")[1].strip()
    return {
        "cores": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "memory": memory,
        "python": platform.python_version(),
        "platform": platform.platform(),
        **({"postgresql": postgres} if postgres else {}),
    }


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def write_json(results: dict, path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, default=_plain) + "\n")


def _plain(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return str(value)


def ms(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:,.1f} ms"


def seconds(value) -> str:
    return "–" if value is None else f"{value:,.2f} s"


def times(value) -> str:
    return "–" if value is None else f"{value:,.1f}×"


def sent_rows(app: dict) -> str:
    rows, expected = app.get("rows", 0), app.get("expected_rows")
    return f"{rows:,} of {expected:,}" if expected and rows < expected else f"{rows:,}"


def goals_text(verdicts: list[dict]) -> str:
    parts = []
    for verdict in verdicts:
        if verdict["met"] is None:
            parts.append(f"{verdict['goal']}: not measured")
        elif verdict["met"]:
            parts.append(f"{verdict['goal']}: **met**")
        else:
            parts.append(f"{verdict['goal']}: **missed** by {verdict['missed_by']}")
    return "; ".join(parts)


def markdown(results: dict) -> str:
    lines = []
    pages = [row for row in results.get("rows", []) if row["kind"] == "page"]
    if pages:
        lines += [
            "| what | app p50 | app p95 | SQL floor p50 | ratio | goals | notes |",
            "|---|---|---|---|---|---|---|",
        ]
        for row in pages:
            app, floor = row.get("app", {}), row.get("floor", {})
            notes = row.get("notes", "")
            if "error" in app:
                notes = f"app failed: {app['error']}. " + notes
            lines.append(
                f"| {row['what']} | {ms(app.get('p50_ms'))} | {ms(app.get('p95_ms'))} | "
                f"{ms(floor.get('p50_ms'))} | {times(row.get('ratio'))} | {goals_text(row['goals'])} | "
                f"{notes} |"
            )
        lines.append("")
    exports = [row for row in results.get("rows", []) if row["kind"] == "export"]
    if exports:
        lines += [
            "| export | rows | first byte | total | COPY | ratio | memory above resting | goals | notes |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in exports:
            app, floor = row.get("app", {}), row.get("floor", {})
            memory = app.get("memory_above_resting_mb")
            total = seconds(app.get("total_s"))
            if app.get("total_s") is None and app.get("failed_after_s") is not None:
                total = f"cut off at {app['failed_after_s']:,.0f} s"
            lines.append(
                f"| {row['what']} | {sent_rows(app)} | {seconds(app.get('first_byte_s'))} | "
                f"{total} | {seconds((floor.get('p50_ms') or 0) / 1000)} | "
                f"{times(row.get('ratio'))} | {'–' if memory is None else f'+{memory:,.0f} MB'} | "
                f"{goals_text(row['goals'])} | {row.get('notes', '')} |"
            )
        lines.append("")
    throughput = [row for row in results.get("rows", []) if row["kind"] == "throughput"]
    if throughput:
        lines += [
            "| public submissions (form + post) | app | bare Flask + INSERT | ratio | goals | notes |",
            "|---|---|---|---|---|---|",
        ]
        for row in throughput:
            app, floor = row.get("app", {}), row.get("floor", {})
            lines.append(
                f"| {row['what']} | {app.get('per_second', 0):,.1f} a second | "
                f"{floor.get('per_second', 0):,.1f} a second | {row.get('ratio') or 0:.2f} | "
                f"{goals_text(row['goals'])} | {row.get('notes', '')} |"
            )
        lines.append("")
    growth = results.get("growth", [])
    if growth:
        small, big = growth[0].get("small_items", 0), growth[0].get("big_items", 0)
        lines += [
            f"| first page | p50 at {small:,} items | p50 at {big:,} items | growth | goal |",
            "|---|---|---|---|---|",
        ]
        for row in growth:
            lines.append(
                f"| {row['what']} | {ms(row.get('small_p50_ms'))} | {ms(row.get('big_p50_ms'))} | "
                f"{times(row.get('growth'))} | {goals_text([row['goal']])} |"
            )
        lines.append("")
    timings = [row for row in results.get("rows", []) if row["kind"] == "timing"]
    if timings:
        lines += ["| what (SQLite, in process) | time |", "|---|---|"]
        for row in timings:
            lines.append(f"| {row['what']} | {seconds(row['seconds'])} |")
        lines.append("")
    return "\n".join(lines)
