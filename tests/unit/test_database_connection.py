"""Every connection is set up the same way, whichever pool hands it out and after any rollback."""

from sqlalchemy import text

from crm.extensions import db


def test_each_connection_is_set_up_for_the_database_it_talks_to(app):
    with app.app_context():
        db.session.rollback()  # a setting made inside a transaction would be gone now
        if db.engine.dialect.name == "postgresql":
            # The planner prices index lookups for SSD, so a policy's evidence is looked up, not scanned.
            assert float(db.session.scalar(text("SHOW random_page_cost"))) == 1.1
            assert db.session.scalar(text("SHOW jit")) == "off"
        else:
            assert db.session.scalar(text("PRAGMA foreign_keys")) == 1
