"""Migrations that rewrite data, run as an operator would (`flask db upgrade` in a process of its own) on an
old SQLite file the test fills in by hand.

These tests make their own SQLite files whatever database the run is on, so they are collected in the
SQLite pass of `make test` only (tests/conftest.py): the PostgreSQL pass would repeat them exactly.
"""

from tests.architecture.test_migrations import _flask_db


def test_migration_0011_rewrites_monitoring_answers_shuffled_and_unmarked(tmp_path):
    """Rows stored beside their responses are written again in one transaction of the migration's own, in
    a random order, and the old "x:" mark of spam or withdrawn answers goes (counts leave those out by id)."""
    import sqlite3

    database = tmp_path / "old.sqlite"
    env = {"CRM_ENV": "development", "DATABASE_URL": f"sqlite:///{database}"}
    _flask_db(env, "upgrade", "0010")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO consultation (id, title, slug, summary, background, status, formats, privacy_notice,"
            " asks_monitoring, asks_carer, asks_care_experienced, created_at, updated_at)"
            " VALUES (1, 'Old', 'old', '', '', 'draft', '[]', '', 1, 0, 0, '2026-01-01', '2026-01-01')"
        )
        connection.executemany(
            "INSERT INTO monitoring_answer (id, consultation_id, question, answer) VALUES (?, 1, ?, ?)",
            [(f"{n:032x}", "sex", "x:female" if n < 10 else "male") for n in range(200)],
        )
    _flask_db(env, "upgrade")
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT id, answer FROM monitoring_answer ORDER BY rowid").fetchall()
    assert sorted(rows) == [(f"{n:032x}", "female" if n < 10 else "male") for n in range(200)]
    assert [row[0] for row in rows] != sorted(row[0] for row in rows)  # not in the order they were stored


def test_migration_0019_turns_typed_work_areas_into_delivery_areas(tmp_path):
    """Each work area typed on a policy becomes one delivery area (any case), and its policies name it."""
    import sqlite3

    database = tmp_path / "old.sqlite"
    env = {"CRM_ENV": "development", "DATABASE_URL": f"sqlite:///{database}"}
    _flask_db(env, "upgrade", "0016")
    with sqlite3.connect(database) as connection:
        connection.executemany(
            "INSERT INTO policy (id, reference, title, kind, work_area, status, summary, created_at,"
            " updated_at) VALUES (?, ?, 'Old', 'policy', ?, 'emerging', '', '2026-01-01', '2026-01-01')",
            [(1, "P-1", "Skills"), (2, "P-2", "skills "), (3, "P-3", "Net zero"), (4, "P-4", "")],
        )
    _flask_db(env, "upgrade")
    with sqlite3.connect(database) as connection:
        areas = dict(connection.execute("SELECT id, name FROM delivery_area").fetchall())
        named = connection.execute("SELECT id, delivery_area_id, is_key FROM policy ORDER BY id").fetchall()
        columns = {row[1] for row in connection.execute("PRAGMA table_info(policy)")}
    assert sorted(areas.values()) == ["Net zero", "Skills"]
    assert [(id_, areas.get(area), key) for id_, area, key in named] == [
        (1, "Skills", 0),
        (2, "Skills", 0),
        (3, "Net zero", 0),
        (4, None, 0),
    ]
    assert "work_area" not in columns
    _flask_db(env, "downgrade", "0016")
    with sqlite3.connect(database) as connection:
        typed = connection.execute("SELECT work_area FROM policy ORDER BY id").fetchall()
    assert typed == [("Skills",), ("Skills",), ("Net zero",), ("",)]


def test_migration_0023_links_responses_to_events_and_comes_down_again(tmp_path):
    """A response stored before 0023 keeps its answers (the table is rebuilt on SQLite), gains an empty
    event_id set to null when its event is deleted, and 0023 undone takes the column away again."""
    import sqlite3

    database = tmp_path / "old.sqlite"
    env = {"CRM_ENV": "development", "DATABASE_URL": f"sqlite:///{database}"}
    _flask_db(env, "upgrade", "0022")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO consultation (id, title, slug, summary, background, status, formats, privacy_notice,"
            " asks_monitoring, asks_carer, asks_care_experienced, created_at, updated_at)"
            " VALUES (1, 'Old', 'old', '', '', 'open', '[]', '', 1, 0, 0, '2026-01-01', '2026-01-01')"
        )
        connection.execute(
            "INSERT INTO response (id, consultation_id, reference, submission_token, channel,"
            " respondent_kind, group_name, name, email, language, status, consent_given, received_at)"
            " VALUES (1, 1, 'R-1', 't', 'event', 'individual', '', '', '', 'English', 'received', 1,"
            " '2026-01-02')"
        )
    _flask_db(env, "upgrade")
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT reference, event_id FROM response").fetchall() == [("R-1", None)]
        keys = connection.execute("PRAGMA foreign_key_list(response)").fetchall()
        assert ("engagement_event", "event_id", "id", "SET NULL") in [(k[2], k[3], k[4], k[6]) for k in keys]
        assert "ix_response_event_id" in [row[1] for row in connection.execute("PRAGMA index_list(response)")]
    _flask_db(env, "downgrade", "0022")
    with sqlite3.connect(database) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(response)")]
        assert "event_id" not in columns and connection.execute("SELECT reference FROM response").fetchall()


def test_migration_0026_keeps_out_the_answers_of_responses_already_left_out(app, tmp_path, monkeypatch):
    """Before 0026 a spam response's answers left the counts at once, by the ids the key derives: after it,
    they are still out, as a published exclusion, and the response says so."""
    import sqlite3

    database = tmp_path / "old.sqlite"
    env = {"CRM_ENV": "development", "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "migration test"}
    _flask_db(env, "upgrade", "0025")
    with sqlite3.connect(database) as connection:
        connection.execute(
            "INSERT INTO consultation (id, title, slug, summary, background, status, formats, privacy_notice,"
            " asks_monitoring, asks_carer, asks_care_experienced, created_at, updated_at)"
            " VALUES (1, 'Old', 'old', '', '', 'open', '[]', '', 1, 0, 0, '2026-01-01', '2026-01-01')"
        )
        for number, status in enumerate(["received", "spam", "withdrawn"], start=1):
            connection.execute(
                "INSERT INTO response (id, consultation_id, reference, submission_token, channel,"
                " respondent_kind, group_name, name, email, language, status, consent_given, received_at)"
                " VALUES (?, 1, ?, ?, 'online', 'individual', '', '', '', 'English', ?, 1, '2026-01-02')",
                (number, f"R-{number}", f"t{number}", status),
            )
    _flask_db(env, "upgrade")
    with sqlite3.connect(database) as connection:
        flags = connection.execute(
            "SELECT reference, monitoring_excluded FROM response ORDER BY id"
        ).fetchall()
        assert flags == [("R-1", 0), ("R-2", 1), ("R-3", 1)]
        excluded = {row[0] for row in connection.execute("SELECT id FROM monitoring_excluded")}
    from crm.consultations import monitoring_store

    monkeypatch.setitem(app.config, "MONITORING_LINK_KEY", "migration test")  # the key the upgrade ran with
    assert excluded == {*monitoring_store.answer_ids("R-2"), *monitoring_store.answer_ids("R-3")}
    _flask_db(env, "downgrade", "0025")
