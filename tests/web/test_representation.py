"""Issue 14 part 2: who we heard from against who lives here, through the real page, on both databases."""

import csv
import io

from bs4 import BeautifulSoup
from sqlalchemy import select

from crm.core import audit
from crm.core.models import Area, AuditEvent, DeliveryArea
from crm.extensions import db
from crm.reports.models import PriorityCohort
from crm.reports.service import import_baseline
from tests.baseline_files import ons_file
from tests.consultation_factories import make_consultation, respond
from tests.policy_factories import make_event, make_policy

URL = "/staff/reports/representation"


def _baseline(female=600, male=400):
    content = ons_file("TS008", {("Sandwell", "E08000028"): {"Female": female, "Male": male}})
    import_baseline(audit.SYSTEM, "census2021-ts008-ltla.csv", content)
    db.session.commit()


def _area(name="Sandwell") -> int:
    return db.session.scalar(select(Area.id).where(Area.name == name))


def _consultation(answers: dict[str, int], policy=None, areas=("Sandwell",)):
    consultation = make_consultation()
    consultation.areas = list(db.session.scalars(select(Area).where(Area.name.in_(areas))))
    if policy is not None:
        consultation.policies = [policy]
    db.session.commit()
    for answer, count in answers.items():
        for _ in range(count):
            respond(consultation, monitoring_answers={"sex": answer})
    return consultation


def _rows(page, question="What is your sex?") -> dict[str, list[str]]:
    table = next(
        t
        for t in page.find("h2", string=question).find_all_next("table")
        if "against the population" in t.caption.text
    )
    return {
        row.th.contents[0].strip(): [td.text.strip() for td in row.select("td")]
        for row in table.select("tbody tr")
    }


def test_an_equality_lead_sees_a_consultation_against_its_areas_population(client, sign_in_as):
    _baseline()
    consultation = _consultation({"female": 8, "male": 12})
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?consultation={consultation.id}&area={_area()}")
    rows = _rows(page)
    # People, share, population share, ratio
    assert rows["Female"] == ["8", "40%", "60%", "0.67"]
    assert rows["Male"] == ["12", "60%", "40%", "1.50"]
    flagged = [th.text for th in page.select("tbody th") if "Under-represented" in th.text]
    assert flagged == ["Female Under-represented"]  # 40% is below 80% of 60%
    assert "Representation score: 80" in page.text  # 100 × (1 − ½ × (0.2 + 0.2))
    assert page.select_one("svg[role=img]") is not None
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reports.representation_viewed"))
    assert event.changed_fields == ["monitoring"]


def test_a_policy_scope_adds_up_published_figures_and_hides_nothing_new(client, sign_in_as):
    """Two consultations: the one with a small figure publishes it as "fewer than 5", and the policy's
    figure is a range, never the exact sum that would give the small figure away."""
    _baseline()
    policy = make_policy()
    _consultation({"female": 3, "male": 12}, policy=policy)
    _consultation({"female": 20, "male": 20}, policy=policy)
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?policy={policy.id}&area={_area()}")
    rows = _rows(page)
    assert rows["Female"][0] != "23" and " to " in rows["Female"][0]
    low, high = (int(part.replace(",", "")) for part in rows["Female"][0].split(" to "))
    assert low <= 23 <= high and high > low
    assert "Representation score: not given" in page.text


def test_a_withheld_consultation_is_left_out_and_said_so(client, sign_in_as):
    _baseline()
    policy = make_policy()
    _consultation({"female": 2, "male": 3}, policy=policy)  # 5 people: under the minimum of 10
    _consultation({"female": 10, "male": 10}, policy=policy)
    sign_in_as("admin")
    page = client.page(f"{URL}?policy={policy.id}")
    assert "1 consultation left out: too few people answered it" in page.text
    assert _rows(page)["Female"][0] == "10"


def test_a_policy_lead_sees_only_their_own_policies(client, sign_in_as, make_user):
    lead = sign_in_as("policy_lead")
    mine = make_policy(owner_id=lead.id)
    theirs = make_policy()
    _consultation({"female": 10, "male": 10}, policy=mine)
    _consultation({"female": 10, "male": 10}, policy=theirs)
    assert client.get(f"{URL}?policy={mine.id}").status_code == 200
    assert client.get(f"{URL}?policy={theirs.id}").status_code == 403
    transport = db.session.scalar(select(DeliveryArea.id).where(DeliveryArea.name == "Transport"))
    assert client.get(f"{URL}?delivery_area={transport}").status_code == 403
    page = client.page(URL)
    policies = [option.text for option in page.select("#policy option")]
    assert mine.title in " ".join(policies) and theirs.title not in " ".join(policies)


def test_an_officer_sees_only_the_consultations_they_run(client, sign_in_as):
    officer = sign_in_as("engagement_officer")
    assert "You have none yet" in client.page(URL).text
    mine = _consultation({"female": 10, "male": 10})
    mine.owner_id = officer.id
    theirs = _consultation({"female": 10, "male": 10})
    db.session.commit()
    assert _rows(client.page(f"{URL}?consultation={mine.id}"))["Female"][:2] == ["10", "50%"]
    assert client.get(f"{URL}?consultation={theirs.id}").status_code == 403
    options = [option.text for option in client.page(URL).select("#consultation option")]
    assert mine.title in options and theirs.title not in options


def test_viewers_do_not_see_it(client, sign_in_as):
    sign_in_as("viewer")
    assert client.get(URL).status_code == 403


def test_no_baseline_for_the_areas_is_said_plainly(client, sign_in_as):
    consultation = _consultation({"female": 10, "male": 10}, areas=("Dudley",))
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?consultation={consultation.id}&area={_area('Dudley')}")
    assert "No population baseline has been imported for this question" in page.text
    assert _rows(page)["Female"][:2] == ["10", "50%"]


def test_a_bad_period_is_refused_next_to_its_field(client, sign_in_as):
    sign_in_as("equality_lead")
    response = client.get(f"{URL}?date_from=31/2/2026")
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert page.title.text.startswith("Error: ")
    assert "Start date must be a real date" in page.select_one("#date_from-error").text


def test_the_csv_holds_the_page_figures(client, sign_in_as):
    _baseline()
    consultation = _consultation({"female": 8, "male": 12})
    sign_in_as("equality_lead")
    response = client.get(f"{URL}.csv?consultation={consultation.id}&area={_area()}")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    female = next(row for row in rows if row[1] == "Female")
    assert female[2:] == ["8", "40%", "60%", "0.67", "Yes"]
    assert db.session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "reports.representation_exported")
    )


def test_reach_at_the_scopes_events_is_shown_apart_and_suppressed(client, sign_in_as):
    policy = make_policy()
    consultation = _consultation({"female": 10, "male": 10}, policy=policy)
    sandwell = db.session.get(Area, _area())
    make_event(policies=[policy], reach={"Disability": 12, "Age": 3}, area_id=sandwell.id)
    make_event(consultation=consultation, reach={"Disability": 8}, area_id=sandwell.id)
    make_event(policies=[policy], reach={"Disability": 100}, area_id=_area("Dudley"))  # another area
    make_event(reach={"Disability": 100}, area_id=sandwell.id)  # nothing to do with the policy
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?policy={policy.id}&area={sandwell.id}")
    table = next(t for t in page.select("table") if "reached at events" in t.caption.text)
    cells = {row.th.text: row.td.text for row in table.select("tbody tr")}
    assert cells == {"Age": "fewer than 5", "Disability": "20"}
    assert "2 events linked to the same consultations or policies" in page.text


def test_disabled_residents_are_compared_through_the_worked_out_question(client, sign_in_as):
    """TS038 maps to "disabled", which the form works out from two answers: compared like any question."""
    content = ons_file(
        "TS038",
        {
            ("Sandwell", "E08000028"): {
                "Disabled under the Equality Act: Day-to-day activities limited a lot": 120,
                "Disabled under the Equality Act: Day-to-day activities limited a little": 80,
                "Not disabled under the Equality Act: Has long term physical or mental health condition but "
                "day-to-day activities are not limited": 100,
                "Not disabled under the Equality Act: No long term physical or mental health conditions": 700,
            }
        },
    )
    import_baseline(audit.SYSTEM, "census2021-ts038-ltla.csv", content)
    consultation = make_consultation()
    consultation.areas = [db.session.get(Area, _area())]
    db.session.commit()
    people = [("yes", "yes_a_lot")] * 5 + [("yes", "not_at_all")] * 5 + [("no", None)] * 30
    for condition, activity in people:
        answers = {"long_term_condition": condition}
        if activity:
            answers["disability_activity"] = activity
        respond(consultation, monitoring_answers=answers)
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?consultation={consultation.id}&area={_area()}")
    rows = _rows(page, "Disabled under the Equality Act 2010 (worked out from the two questions above)")
    assert rows["Disabled"] == ["5", "12%", "20%", "0.62"]  # 5 of 40 people, against 200 of 1,000
    flagged = [th.text for th in page.select("tbody th") if "Under-represented" in th.text]
    assert "Disabled Under-represented" in flagged


def test_a_priority_cohort_of_one_question_is_compared_as_one_row(client, sign_in_as):
    _baseline(female=600, male=400)
    consultation = _consultation({"female": 8, "male": 12, "prefer_not_to_say": 5})
    db.session.add_all(
        [
            PriorityCohort(name="Women", categories=["sex:female"]),
            # One person answers both questions: shares across them cannot be added up, so no row.
            PriorityCohort(name="Women and older people", categories=["sex:female", "age_band:75_84"]),
        ]
    )
    db.session.commit()
    sign_in_as("equality_lead")
    page = client.page(f"{URL}?consultation={consultation.id}&area={_area()}")
    table = next(t for t in page.select("table") if "Priority cohorts" in t.caption.text)
    rows = {
        row.th.contents[0].strip(): [td.text.strip() for td in row.select("td")]
        for row in table.select("tbody tr")
    }
    assert rows == {"Women": ["8", "40%", "60%", "0.67"]}
    assert "Under-represented" in table.text
    response = client.get(f"{URL}.csv?consultation={consultation.id}&area={_area()}")
    lines = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert ["What is your sex?", "Priority cohort: Women", "8", "40%", "60%", "0.67", "Yes"] in lines
