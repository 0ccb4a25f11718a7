"""Population baselines: importing Census tables (all or nothing), the mapping screens, roles, the CLI."""

import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from crm.core.models import Area, AuditEvent
from crm.extensions import db
from crm.reports import queries
from crm.reports.models import BaselineImport, CategoryMap, CensusTable, PopulationBaseline
from tests.baseline_files import DUDLEY, WALSALL, nomis_file, ons_file, sex_counts

BASELINES = "/staff/reports/baselines"
MAPPING = "/staff/reports/baselines/mapping"


def _upload(client, content: bytes, filename="census2021-ts008-ltla.csv", illustrative=False, skip=False):
    data = {"file": (io.BytesIO(content), filename)}
    if illustrative:
        data["illustrative"] = "y"
    if skip:
        data["skip_other_areas"] = "y"
    return client.submit(BASELINES, data, content_type="multipart/form-data")


def _stored() -> int:
    return db.session.scalar(select(func.count()).select_from(PopulationBaseline))


def _area_id(name: str) -> int:
    return db.session.scalar(select(Area.id).where(Area.name == name))


def _problems(response) -> list[list[str]]:
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    table = page.find("caption", string="Problems, row by row").find_parent("table")
    return [
        [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])] for row in table.tbody("tr")
    ]


def test_an_admin_imports_an_ons_bulk_file_and_sees_it_listed(client, sign_in_as):
    admin = sign_in_as("admin")
    response = _upload(client, ons_file("TS008", {WALSALL: sex_counts(520, 480), DUDLEY: sex_counts(30, 20)}))
    assert response.status_code == 302 and response.location == BASELINES
    page = client.page(BASELINES)
    assert "Imported TS008 (Sex) from census2021-ts008-ltla.csv" in page.text
    rows = [row.get_text(" ", strip=True) for row in page.find("caption").find_parent("table").tbody("tr")]
    assert rows[0].startswith("Dudley TS008 Sex 50 census2021-ts008-ltla.csv")
    assert rows[1].startswith("Walsall TS008 Sex 1,000")
    assert "Illustrative" not in page.text
    assert _stored() == 6
    record = db.session.scalar(select(BaselineImport))
    assert (record.imported_by_id, record.is_illustrative) == (admin.id, False)
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.entity_type == "baseline_import"))
    shares = queries.baseline_shares("sex", [_area_id("Walsall"), _area_id("Dudley")])
    assert shares == {"female": (550, 550 / 1050), "male": (500, 500 / 1050)}


def test_a_nomis_download_is_imported_too_and_areas_match_by_name_without_codes(client, sign_in_as):
    sign_in_as("admin")
    content = nomis_file("TS008", {("SANDWELL", ""): sex_counts(7, 3)})
    assert _upload(client, content, filename="bulk.csv").status_code == 302
    assert queries.baseline_shares("sex", [_area_id("Sandwell")]) == {"female": (7, 0.7), "male": (3, 0.3)}


def test_importing_a_table_again_replaces_its_figures_for_the_areas_in_the_file(client, sign_in_as):
    sign_in_as("admin")
    _upload(client, ons_file("TS008", {WALSALL: sex_counts(10, 10), DUDLEY: sex_counts(5, 5)}))
    _upload(client, ons_file("TS008", {WALSALL: sex_counts(30, 10)}), illustrative=True)
    walsall, dudley = _area_id("Walsall"), _area_id("Dudley")
    assert queries.baseline_shares("sex", [walsall]) == {"female": (30, 0.75), "male": (10, 0.25)}
    assert queries.baseline_shares("sex", [dudley]) == {"female": (5, 0.5), "male": (5, 0.5)}
    assert _stored() == 6
    page = client.page(BASELINES)
    assert "Illustrative" in page.text and "not published ONS figures" in page.text
    assert queries.baseline_for("sex", [walsall, dudley]).is_illustrative


@pytest.mark.parametrize(
    ("content", "row", "column", "message"),
    [
        (
            ons_file("TS008", {WALSALL: sex_counts(), ("Atlantis", "E99999999"): sex_counts()}),
            "3",
            "geography",
            "‘Atlantis’ (E99999999) is not one of the region’s areas",
        ),
        (
            ons_file("TS008", {WALSALL: {**sex_counts(), "Other": 3}}),
            "1",
            "Sex: Other",
            "‘Other’ is not a category of TS008 in the mapping. If it is one, add it under TS008",
        ),
        (ons_file("TS008", {WALSALL: sex_counts(female=-4)}), "2", "Sex: Female", "The count -4 is negative"),
        (
            ons_file("TS008", {WALSALL: sex_counts(male="lots", total=10)}),
            "2",
            "Sex: Male",
            "‘lots’ is not a whole",
        ),
        (
            ons_file("TS008", {WALSALL: sex_counts(male="", total=10)}),
            "2",
            "Sex: Male",
            "The count is missing",
        ),
        (
            ons_file("TS008", {DUDLEY: sex_counts()}, with_total=False),
            "2",
            "total",
            "There is no total (‘All persons’)",
        ),
        (
            ons_file("TS008", {WALSALL: sex_counts(60, 50, total=100)}),
            "2",
            "Sex: All persons",
            "The categories of Walsall add up to 110, more than its total of 100",
        ),
        (
            nomis_file("TS008", {WALSALL: sex_counts(female="1.5", total=3)}),
            "4",
            "Observation",
            "‘1.5’ is not a whole number",
        ),
        (
            nomis_file("TS008", {WALSALL: {**sex_counts(), "Intersex": 1}}),
            "6",
            "Sex (2 categories)",
            "‘Intersex’ is not a category of TS008",
        ),
    ],
    ids=[
        "unknown area",
        "unknown category",
        "negative",
        "not a number",
        "blank",
        "no total",
        "over total",
        "nomis decimal",
        "nomis category",
    ],
)
def test_each_bad_file_gets_its_problem_listed_and_nothing_is_imported(
    client, sign_in_as, content, row, column, message
):
    sign_in_as("admin")
    _upload(client, ons_file("TS008", {DUDLEY: sex_counts(8, 2)}))
    response = _upload(client, content)
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    problems = _problems(response)
    assert any(p[0] == row and p[1] == column and message in p[2] for p in problems), problems
    assert _stored() == 3 and db.session.scalar(select(func.count()).select_from(BaselineImport)) == 1
    assert queries.baseline_shares("sex", [_area_id("Dudley")]) == {"female": (8, 0.8), "male": (2, 0.2)}


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("census2021-ts008-ltla.csv", b"", "Select a CSV file"),
        ("notes.csv", b"a,b\n1,2\n", "does not look like a Census 2021 table"),
        (
            "census2021-ts071-ltla.csv",
            ons_file("TS008", {WALSALL: sex_counts()}),
            "table TS071, which is not mapped",
        ),
        ("census2021-ts021-ltla.csv", ons_file("TS008", {WALSALL: sex_counts()}), "its figures are of ‘Sex’"),
    ],
)
def test_files_that_are_not_a_known_table_are_refused_next_to_the_field(
    client, sign_in_as, filename, content, message
):
    sign_in_as("admin")
    response = _upload(client, content, filename=filename)
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html5lib")
    assert message in page.select_one(".govuk-error-summary").text
    assert message in page.select_one("#file-error").text
    assert _stored() == 0


def test_an_age_file_without_a_table_code_in_its_name_is_told_apart_by_its_categories(client, sign_in_as):
    sign_in_as("admin")
    bands = {"Aged 4 years and under": 10, "Aged 15 to 19 years": 5, "Aged 85 years and over": 1}
    assert _upload(client, nomis_file("TS007A", {WALSALL: bands}), filename="download.csv").status_code == 302
    assert db.session.scalar(select(CensusTable.code).join(BaselineImport.table)) == "TS007A"
    shares = queries.baseline_shares("age_band", [_area_id("Walsall")])
    assert {code: count for code, (count, _) in shares.items()} == {"under_16": 10, "16_24": 5, "85_over": 1}


def test_an_area_without_a_baseline_is_named(client, sign_in_as):
    sign_in_as("admin")
    _upload(client, ons_file("TS008", {WALSALL: sex_counts(3, 1)}))
    walsall, coventry = _area_id("Walsall"), _area_id("Coventry")
    assert [area.name for area in queries.areas_without_baseline("sex", [walsall, coventry])] == ["Coventry"]
    assert queries.areas_without_baseline("religion", [walsall]) == [db.session.get(Area, walsall)]
    assert queries.baseline_shares("religion", [walsall]) == {}


def test_an_admin_changes_the_mapping_and_the_shares_follow(client, sign_in_as):
    sign_in_as("admin")
    _upload(client, ons_file("TS008", {WALSALL: sex_counts(6, 4)}))
    table = db.session.scalar(select(CensusTable).where(CensusTable.code == "TS008"))
    male = next(category for category in table.categories if category.label == "Male")
    page = client.page(MAPPING)
    assert "TS021 Ethnic group" in page.text
    edit = f"{MAPPING}/{table.id}"
    assert page.find("a", href=edit)
    response = client.submit(
        edit,
        {f"category_{c.id}": c.monitoring_code for c in table.categories}
        | {f"category_{male.id}": "excluded"},
    )
    assert response.status_code == 302
    assert queries.baseline_shares("sex", [_area_id("Walsall")]) == {"female": (6, 1.0)}
    assert db.session.scalar(
        select(AuditEvent.action).where(AuditEvent.entity_type == "baseline_category_map")
    )
    tampered = client.submit(edit, {f"category_{male.id}": "martian"})
    assert tampered.status_code == 200 and "Not a valid choice" in tampered.get_data(as_text=True)


def test_an_admin_adds_a_census_category_and_the_file_then_imports(client, sign_in_as):
    sign_in_as("admin")
    content = ons_file("TS008", {WALSALL: {**sex_counts(6, 4), "Other": 2}})
    assert _upload(client, content).status_code == 200
    table_id = db.session.scalar(select(CensusTable.id).where(CensusTable.code == "TS008"))
    add = f"{MAPPING}/{table_id}/categories"
    response = client.submit(
        add, {"label": "Sex: Other", "monitoring_code": "excluded"}, form_page=f"{MAPPING}/{table_id}"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(CategoryMap.label).where(CategoryMap.label == "Other"))
    again = client.submit(
        add, {"label": "other", "monitoring_code": "excluded"}, form_page=f"{MAPPING}/{table_id}"
    )
    assert again.status_code == 200 and "TS008 already has the category" in again.get_data(as_text=True)
    assert _upload(client, content).status_code == 302
    assert queries.baseline_shares("sex", [_area_id("Walsall")]) == {"female": (6, 0.6), "male": (4, 0.4)}


@pytest.mark.parametrize("role", ["engagement_officer", "policy_lead", "equality_lead", "viewer"])
def test_only_admins_see_or_change_baselines(client, sign_in_as, role):
    sign_in_as(role)
    table_id = db.session.scalar(select(CensusTable.id))
    for url in (BASELINES, MAPPING, f"{MAPPING}/{table_id}"):
        assert client.get(url).status_code == 403
    assert client.post(BASELINES, data={}).status_code in (400, 403)


def test_signed_out_people_are_sent_to_sign_in(client):
    for url in (BASELINES, MAPPING):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/sign-in" in response.location


WHOLE_COUNTRY = ons_file(
    "TS008",
    {
        ("Hartlepool", "E06000001"): sex_counts(50, 40),
        WALSALL: sex_counts(520, 480),
        ("Cardiff", "W06000015"): sex_counts(60, 70),
    },
)


def test_a_whole_country_file_is_refused_unless_other_areas_are_left_out(client, sign_in_as):
    sign_in_as("admin")
    refused = _upload(client, WHOLE_COUNTRY)
    assert refused.status_code == 200 and _stored() == 0
    assert any(
        "‘Hartlepool’ (E06000001) is not one of the region’s areas" in p[2] for p in _problems(refused)
    )
    assert _upload(client, WHOLE_COUNTRY, skip=True).status_code == 302
    assert "Left out 2 areas outside the region." in client.page(BASELINES).text
    assert _stored() == 3  # Walsall's female, male and total only
    assert queries.baseline_shares("sex", [_area_id("Walsall")]) == {
        "female": (520, 0.52),
        "male": (480, 0.48),
    }


def test_a_file_of_no_area_in_the_region_imports_nothing_even_when_leaving_others_out(client, sign_in_as):
    sign_in_as("admin")
    response = _upload(client, ons_file("TS008", {("Cardiff", "W06000015"): sex_counts()}), skip=True)
    assert response.status_code == 200
    assert any("no figures for any of the region’s areas" in p[2] for p in _problems(response))
    assert _stored() == 0


def test_the_cli_imports_a_file_and_refuses_a_bad_one_saying_where(app, tmp_path):
    good = tmp_path / "census2021-ts008-ltla.csv"
    good.write_bytes(ons_file("TS008", {WALSALL: sex_counts(2, 2)}))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["crm", "import-baseline", str(good), "--illustrative"])
    assert result.exit_code == 0, result.output
    assert "Imported TS008 (Sex)" in result.output
    assert db.session.scalar(select(BaselineImport.is_illustrative))
    bad = tmp_path / "census2021-ts008-ltla-2.csv"
    bad.write_bytes(ons_file("TS008", {WALSALL: sex_counts(female=-1, male=1, total=5)}))
    result = runner.invoke(args=["crm", "import-baseline", str(bad)])
    assert result.exit_code != 0
    assert "Row 2, Sex: Female: The count -1 is negative" in result.output
    assert "Nothing was imported" in result.output
    assert queries.baseline_shares("sex", [_area_id("Walsall")]) == {"female": (2, 0.5), "male": (2, 0.5)}
    country = tmp_path / "census2021-ts008-ltla-country.csv"
    country.write_bytes(WHOLE_COUNTRY)
    result = runner.invoke(args=["crm", "import-baseline", str(country), "--skip-other-areas"])
    assert result.exit_code == 0, result.output
    assert "left out 2 areas outside the region" in result.output


def test_the_demo_baseline_imports_through_the_checks_and_is_labelled_illustrative(client, sign_in_as):
    from crm.reports.demo import POPULATIONS, seed_demo_baselines

    assert seed_demo_baselines() and not seed_demo_baselines()
    db.session.commit()
    areas = [_area_id(name) for name in POPULATIONS]
    for question in ("ethnic_group", "age_band", "sex", "disabled", "religion"):
        baseline = queries.baseline_for(question, areas)
        assert baseline.is_illustrative and not baseline.missing_area_ids, question
        assert abs(sum(share for _, share in baseline.shares.values()) - 1) < 1e-9
    assert len(queries.baseline_shares("ethnic_group", areas)) == 19
    sign_in_as("admin")
    page = client.page(BASELINES)
    assert page.text.count("Illustrative") >= 35
    assert "not published ONS figures" in page.text


def test_an_area_holding_two_age_tables_is_counted_once_from_the_latest(client, sign_in_as):
    sign_in_as("admin")
    bands = {"Aged 4 years and under": 10, "Aged 20 to 24 years": 10}
    years = {"Aged 3 years": 1, "Aged 16 years": 2, "Aged 100 years and over": 3}
    assert (
        _upload(client, ons_file("TS007A", {WALSALL: bands}), "census2021-ts007a-ltla.csv").status_code == 302
    )
    assert (
        _upload(client, ons_file("TS007", {WALSALL: years}), "census2021-ts007-ltla.csv").status_code == 302
    )
    baseline = queries.baseline_for("age_band", [_area_id("Walsall")])
    assert baseline.table_codes == ["TS007"]
    assert {code: count for code, (count, _) in baseline.shares.items()} == {
        "under_16": 1,
        "16_24": 2,
        "85_over": 3,
    }
