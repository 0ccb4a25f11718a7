"""The benchmark's PostgreSQL databases: create, drop, migrate, fill once and reuse."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench import volumes

ROOT = Path(__file__).resolve().parents[2]


def with_database(url: str, name: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _maintenance(url: str) -> psycopg.Connection:
    return psycopg.connect(volumes.psycopg_url(with_database(url, "postgres")), autocommit=True)


def exists(url: str) -> bool:
    with _maintenance(url) as conn:
        return bool(
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database_name(url),)).fetchone()
        )


def create(url: str) -> None:
    with _maintenance(url) as conn:
        conn.execute(f'CREATE DATABASE "{database_name(url)}"')


def drop(url: str) -> None:
    with _maintenance(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def flask(url: str, *command: str) -> None:
    """Run a `flask --app wsgi` command against the database, as an operator would."""
    env = {**os.environ, "CRM_ENV": "development", "DATABASE_URL": url, "TEST_DATABASE_URL": url}
    env.setdefault("SECRET_KEY", secrets.token_hex(32))  # development refuses a server on its public key
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *command],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def prepare(url: str, scale: float, rebuild: bool, log=print) -> dict:
    """Migrate the database and make sure it holds the volumes for `scale`; returns the marker's facts."""
    name = database_name(url)
    if rebuild:
        log(f"Dropping {name} to build it afresh")
        drop(url)
    if not exists(url):
        create(url)
    flask(url, "db", "upgrade")  # every run: later migrations (indexes) apply to the kept volumes too
    with psycopg.connect(volumes.psycopg_url(url)) as conn:
        facts = volumes.built(conn)
    wanted = volumes.Volumes.at(scale)
    if facts and facts.get("version") == volumes.VOLUMES_VERSION and facts["volumes"]["scale"] == scale:
        log(
            f"{name}: reusing the volumes built {facts['built_at'][:19]}"
            f" ({facts['counts']['feedback']:,} feedback)"
        )
        return facts
    if facts:
        log(f"{name}: the volumes there were built by another version or scale; building afresh")
        drop(url)
        create(url)
        flask(url, "db", "upgrade")
    flask(url, "crm", "seed-reference")
    log(f"{name}: building volumes at scale {scale:g} ({wanted.feedback:,} feedback items)")
    return volumes.build(url, wanted, log=log)
