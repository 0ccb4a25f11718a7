"""Two people saving the same record at the same moment: the second save waits for the first and builds on
it, rather than failing on a unique key with an error page."""

import threading

from sqlalchemy import insert, select

from crm.core import audit
from crm.core.models import CoproductionPrinciple
from crm.engagement.models import EngagementEvent, PrincipleAssessment
from crm.engagement.service import PrincipleValue, assess_principles
from crm.extensions import db
from tests.policy_factories import make_event


def test_a_second_save_of_an_events_principles_waits_for_the_first_and_updates_its_row(app):
    event = make_event(title="Skills Street")
    principle = db.session.scalars(select(CoproductionPrinciple).order_by(CoproductionPrinciple.id)).first()
    db.session.commit()
    # The first person's save, as the service makes it: the event held, the row added, not yet committed.
    first = db.engine.connect()
    first_save = first.begin()
    first.execute(select(EngagementEvent.id).where(EngagementEvent.id == event.id).with_for_update())
    first.execute(
        insert(PrincipleAssessment).values(
            event_id=event.id, principle_id=principle.id, rating="met", note="first"
        )
    )
    outcome = {}

    def second_save():
        with app.app_context():
            try:
                subject = db.session.get(EngagementEvent, event.id)
                assess_principles(
                    audit.SYSTEM, subject, [PrincipleValue(principle.id, "partly_met", "second")]
                )
                db.session.commit()
                outcome["saved"] = True
            except Exception as error:  # reported below, where the test can fail on it
                outcome["error"] = error
                db.session.rollback()
            finally:
                db.session.remove()

    second = threading.Thread(target=second_save)
    second.start()
    second.join(timeout=1)
    assert second.is_alive(), "the second save did not wait for the first"
    first_save.commit()
    first.close()
    second.join(timeout=30)
    assert outcome == {"saved": True}
    db.session.expire_all()
    rows = db.session.execute(select(PrincipleAssessment.rating, PrincipleAssessment.note)).all()
    assert rows == [("partly_met", "second")]
