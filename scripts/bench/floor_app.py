"""The floor for public submissions: a bare Flask app that renders a trivial form and stores a post with one
INSERT, served by gunicorn with the same settings as the app. Whatever the real form does beyond this
(rendering 73 choices, checking answers, auditing, rate limiting) is what the ratio measures.
"""

import os
import secrets

import psycopg
from flask import Flask, redirect, render_template_string, request

TABLE = "benchmark_floor_submission"
FORM = """<!doctype html>
<html lang="en"><head><title>Respond</title></head><body>
<form method="post" action="/respond">
  <input type="hidden" name="token" value="{{ token }}">
  <label for="answer">Your answer</label>
  <textarea id="answer" name="answer"></textarea>
  <button type="submit" name="submit" value="send">Send</button>
</form>
</body></html>"""

app = Flask(__name__)
_connection: dict[str, psycopg.Connection] = {}  # one per worker process, opened on first use


def connection() -> psycopg.Connection:
    conn = _connection.get("conn")
    if conn is None or conn.closed:
        conn = _connection["conn"] = psycopg.connect(os.environ["FLOOR_DATABASE_URL"], autocommit=True)
    return conn


def create_table(conn: psycopg.Connection) -> None:
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {TABLE} (id serial PRIMARY KEY, token text NOT NULL UNIQUE,"
        " answer text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())"
    )


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/respond")
def form():
    return render_template_string(FORM, token=secrets.token_urlsafe(24))


@app.post("/respond")
def post():
    connection().execute(
        f"INSERT INTO {TABLE} (token, answer) VALUES (%s, %s)",
        (request.form["token"], request.form.get("answer", "")),
    )
    return redirect("/respond/done", 303)
