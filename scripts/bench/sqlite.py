"""`make benchmark` without BENCH_DATABASE_URL: a quick report on a fresh SQLite file, in process.

SQLite is the embedded default for one person trying the app out, not a production option, so this times the
heavy operations only: 50,000 groups imported in five 10,000-row files, the group list and coverage matrix,
and the inbox on `BENCHMARK_FEEDBACK` items (default 100,000).
"""

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(log=print) -> dict:
    from bench import report

    started = time.perf_counter()
    url = f"sqlite:///{tempfile.mkdtemp()}/benchmark.db"
    env = {**os.environ, "CRM_ENV": "test", "TEST_DATABASE_URL": url}
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from crm import create_app
    from crm.core import audit
    from crm.core.reference import seed_reference_data
    from crm.groups import queries, transfer

    rows: list[dict] = []

    def timed(label: str, action):
        begun = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - begun
        log(f"{label:<52} {elapsed:8.2f} s")
        rows.append({"kind": "timing", "what": label, "seconds": elapsed})
        return result

    app = create_app("test", SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        seed_reference_data()
        header = "id,name,kind,areas,characteristics,contact_name,contact_email\n"
        for batch in range(5):
            lines = [
                f",Benchmark Group {batch}-{n:05d},vcse,Walsall;Dudley,Age;Disability,P {n},p{n}@example.org"
                for n in range(10_000)
            ]
            content = (header + "\n".join(lines) + "\n").encode()
            plan = timed(
                f"check a 10,000-row import (batch {batch + 1})",
                lambda content=content: transfer.plan_import(transfer.read_csv(content)),
            )
            timed(
                f"apply a 10,000-row import (batch {batch + 1})",
                lambda plan=plan: transfer.apply_import(audit.SYSTEM, plan),
            )
        filters = queries.GroupFilters(characteristic=[2], area=[7], q="group 3-0")
        timed("filtered group list, page 1, at 50,000 groups", lambda: queries.group_page(filters, 1).items)
        timed(
            "unfiltered group list, page 200, at 50,000 groups",
            lambda: queries.group_page(queries.GroupFilters(), 200).items,
        )
        timed("coverage matrix at 50,000 groups", queries.coverage_matrix)
        _feedback(int(os.environ.get("BENCHMARK_FEEDBACK", "100000")), timed)
    return {
        "database": "sqlite",
        "date": report.now(),
        "git": report.git_facts(),
        "machine": report.machine_facts(),
        "rows": rows,
        "run_seconds": round(time.perf_counter() - started, 1),
    }


def _feedback(total: int, timed) -> None:
    """The feedback inbox at scale: bulk-load `total` items, then time the pages officers use most."""
    from sqlalchemy import insert

    from crm.extensions import db
    from crm.feedback import queries
    from crm.feedback.models import Feedback, feedback_theme

    words = (
        "bus",
        "tram",
        "childcare",
        "rent",
        "training",
        "library",
        "ramp",
        "interpreter",
        "shift",
        "cost",
    )
    rng = random.Random(1)
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def load():
        for offset in range(0, total, 20_000):
            rows = [
                {
                    "text": " ".join(rng.choices(words, k=8)),
                    "source": "event",
                    "status": "new",
                    "received_at": start + timedelta(minutes=offset + n),
                    "created_at": start,
                    "updated_at": start,
                }
                for n in range(min(20_000, total - offset))
            ]
            ids = db.session.scalars(insert(Feedback).returning(Feedback.id), rows).all()
            db.session.execute(insert(feedback_theme), [{"feedback_id": i, "theme_id": 1} for i in ids[::10]])
        db.session.commit()

    timed(f"load {total:,} feedback items", load)
    everything = queries.FeedbackFilters()
    timed("inbox, first page, everything", lambda: queries.inbox_page(everything, 1).items)
    timed("inbox, page 1,000, everything", lambda: queries.inbox_page(everything, 1000).items)
    searched = queries.FeedbackFilters(q="childcare interpreter")
    timed("inbox, full-text search, first page", lambda: queries.inbox_page(searched, 1).items)
    themed = queries.FeedbackFilters(theme=[1], coded="no")
    timed("inbox, theme filter, first page", lambda: queries.inbox_page(themed, 1).items)
