"""`make benchmark`: how fast the app is at the design's scale, measured against what the database can do.
A report, not a test: it prints markdown tables and writes benchmark-results.json.

With BENCH_DATABASE_URL (PostgreSQL): migrates that database, builds the design's volumes once (1,000,000
feedback items, ~50,000 reaching one policy, 200,000 responses with 2,000,000 monitoring answers, 50,000
groups) and a 10,000-item copy beside it (<name>_small) for growth, then serves the app with gunicorn and
times each page and export over HTTP beside hand-written SQL for the same answer, and the public form
against a bare Flask + INSERT app. Without it: a quick in-process report on a fresh SQLite file.

    make benchmark BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench
    .venv/bin/python scripts/benchmark.py --rebuild --only pages,exports   # the same, by hand
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench import report  # noqa: E402  (the scripts folder is put on the path just above)

PARTS = ("pages", "exports", "submissions", "growth")


def options(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the benchmark databases and build afresh"
    )
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page, after two warm-ups")
    parser.add_argument("--export-runs", type=int, default=3, help="downloads per export (and COPY runs)")
    parser.add_argument("--submission-seconds", type=float, default=20, help="length of each load test")
    parser.add_argument(
        "--only", default=",".join(PARTS), help=f"comma-separated parts to run (default: {','.join(PARTS)})"
    )
    parser.add_argument("--scale", type=float, default=1.0, help="volumes as a share of the design's (1.0)")
    parser.add_argument(
        "--small-url",
        default=os.environ.get("BENCH_SMALL_DATABASE_URL"),
        help="the 10,000-item database for growth (default: the benchmark database's name + _small)",
    )
    parser.add_argument("--output", default=str(ROOT / "benchmark-results.json"))
    parsed = parser.parse_args(argv)
    parsed.only = {part.strip() for part in parsed.only.split(",") if part.strip()}
    unknown = parsed.only - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")
    return parsed


def main(argv=None) -> None:
    chosen = options(argv)
    url = os.environ.get("BENCH_DATABASE_URL")
    if url:
        if not url.startswith("postgresql"):
            raise SystemExit("BENCH_DATABASE_URL must name a PostgreSQL database (postgresql+psycopg://…)")
        from bench import postgres

        results = postgres.run(url, chosen)
    else:
        from bench import sqlite

        print("BENCH_DATABASE_URL is not set: a quick report on SQLite (set it for PostgreSQL at full scale)")
        results = sqlite.run()
    output = Path(chosen.output)
    report.write_json(results, output)
    print()
    print(report.markdown(results))
    print(f"Written to {output}")


if __name__ == "__main__":
    main()
