import pytest
from sqlalchemy import select

from crm.core.models import AuditEvent, Barrier, Characteristic, Theme
from crm.extensions import db

STATUTORY = [
    "Age",
    "Disability",
    "Gender reassignment",
    "Marriage and civil partnership",
    "Pregnancy and maternity",
    "Race",
    "Religion or belief",
    "Sex",
    "Sexual orientation",
]


def test_the_nine_protected_characteristics_are_seeded_with_their_statutory_names(app):
    statutory = db.session.scalars(select(Characteristic.name).where(Characteristic.is_statutory)).all()
    assert sorted(statutory) == sorted(STATUTORY)
    local = db.session.scalars(select(Characteristic.name).where(~Characteristic.is_statutory)).all()
    assert set(local) == {
        "Socio-economic disadvantage",
        "Care experienced",
        "Carers",
        "Armed forces community",
    }
    special = set(db.session.scalars(select(Characteristic.name).where(Characteristic.is_special_category)))
    assert {"Race", "Religion or belief", "Sexual orientation", "Disability"} <= special
    assert not special & {"Age", "Sex", "Carers"}


def test_all_seventeen_authorities_and_region_wide_are_seeded(client, sign_in_as):
    sign_in_as("admin")
    text = client.page("/staff/admin/reference/areas").text
    for name in (
        "Birmingham",
        "Wolverhampton",
        "Walsall",
        "Telford and Wrekin",
        "Warwickshire",
        "Region-wide",
    ):
        assert name in text


def test_admin_adds_renames_retires_and_reinstates_a_barrier(client, sign_in_as):
    sign_in_as("admin")
    response = client.submit("/staff/admin/reference/barriers/new", {"name": "Shift work", "description": ""})
    assert response.status_code == 302
    barrier = db.session.scalar(select(Barrier).where(Barrier.name == "Shift work"))
    url = f"/staff/admin/reference/barriers/{barrier.id}"

    client.submit(url, {"name": "Shift patterns", "description": "Working hours clash"})
    client.submit(f"{url}/retire", form_page=url)
    db.session.refresh(barrier)
    assert (barrier.name, barrier.code, barrier.is_retired) == ("Shift patterns", "shift-work", True)
    client.submit(f"{url}/reinstate", form_page=url)
    db.session.refresh(barrier)
    assert not barrier.is_retired

    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "barrier").order_by(AuditEvent.id)
    ).all()
    assert actions == ["reference.created", "reference.updated", "reference.retired", "reference.reinstated"]


def test_an_unused_entry_can_be_deleted(client, sign_in_as):
    sign_in_as("admin")
    client.submit("/staff/admin/reference/themes/new", {"name": "Temporary theme"})
    theme = db.session.scalar(select(Theme).where(Theme.name == "Temporary theme"))
    url = f"/staff/admin/reference/themes/{theme.id}"
    client.submit(f"{url}/delete", form_page=url)
    assert db.session.scalar(select(Theme).where(Theme.name == "Temporary theme")) is None


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Enter a name"),
        ("x" * 121, "Name must be 120 characters or fewer"),
        ("disability", "There is already a characteristic called"),
    ],
)
def test_bad_names_are_refused_next_to_the_field(client, sign_in_as, name, message):
    sign_in_as("admin")
    before = db.session.scalar(select(db.func.count()).select_from(Characteristic))
    response = client.submit("/staff/admin/reference/characteristics/new", {"name": name})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Characteristic)) == before


def test_a_local_characteristic_can_be_flagged_special_category(client, sign_in_as):
    sign_in_as("admin")
    client.submit(
        "/staff/admin/reference/characteristics/new", {"name": "Health condition", "is_special_category": "y"}
    )
    entry = db.session.scalar(select(Characteristic).where(Characteristic.name == "Health condition"))
    assert entry.is_special_category and not entry.is_statutory


def test_unknown_list_and_entry_are_404(client, sign_in_as):
    sign_in_as("admin")
    assert client.get("/staff/admin/reference/planets").status_code == 404
    assert client.get("/staff/admin/reference/themes/999999").status_code == 404
