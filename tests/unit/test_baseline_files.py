import pytest

from crm.reports.baseline_files import BaselineFileError, read_baseline_file, table_code_in
from crm.reports.census import age_band
from tests.baseline_files import DUDLEY, WALSALL, nomis_file, ons_file, sex_counts

# Rules alone: the PostgreSQL pass of `make test` leaves these out (tests/conftest.py).
pytestmark = pytest.mark.database_free


def test_an_ons_bulk_file_is_read_wide_with_the_variable_taken_off_each_category():
    found = read_baseline_file("census2021-ts008-ltla.csv", ons_file("TS008", {WALSALL: sex_counts(60, 40)}))
    assert (found.layout, found.variable, found.table_code, found.header_row) == ("ons", "Sex", "TS008", 1)
    cells = {(cell.area_code, cell.category): cell.value for cell in found.cells}
    assert cells == {
        ("E08000030", "All persons"): "100",
        ("E08000030", "Female"): "60",
        ("E08000030", "Male"): "40",
    }
    assert {cell.row for cell in found.cells} == {2}
    assert found.category_columns["Female"] == "Sex: Female"


def test_a_nomis_download_is_read_long_below_its_notes():
    content = nomis_file("TS008", {WALSALL: sex_counts(60, 40), DUDLEY: sex_counts(5, 6)})
    found = read_baseline_file("nomis-download.csv", content)
    assert (found.layout, found.variable, found.table_code, found.header_row) == ("nomis", "Sex", None, 2)
    assert [(cell.row, cell.area_name, cell.category, cell.value) for cell in found.cells[:3]] == [
        (3, "Walsall", "All persons", "100"),
        (4, "Walsall", "Female", "60"),
        (5, "Walsall", "Male", "40"),
    ]
    assert found.cells[0].column == "Observation" and found.category_column == "Sex (2 categories)"


def test_the_ons_measures_suffix_is_not_part_of_the_category():
    content = (
        b"date,geography,geography code,Sex: All persons; measures: Value,Sex: Female; measures: Value\n"
    )
    content += b"2021,Walsall,E08000030,10,4\n"
    found = read_baseline_file("x.csv", content)
    assert [cell.category for cell in found.cells] == ["All persons", "Female"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,count\nWalsall,4\n", "does not look like a Census 2021 table"),
        ("date,geography,geography code,Sex: Female\n".encode("utf-16"), "UTF-8"),
        (b"date,geography,geography code,Sex: Female\n", "no rows of figures"),
        (
            b"date,geography,geography code,Sex: Female,Age: Aged 4 years and under\n2021,A,B,1,2\n",
            "one variable",
        ),
        (b"date,geography,geography code,Female\n2021,A,B,1\n", "variable: category"),
    ],
)
def test_files_that_cannot_be_read_say_why(content, message):
    with pytest.raises(BaselineFileError, match=message):
        read_baseline_file("file.csv", content)


@pytest.mark.parametrize(
    ("filename", "code"),
    [
        ("census2021-ts021-ltla.csv", "TS021"),
        ("census2021-ts007a-ltla.csv", "TS007A"),
        ("TS030 religion.csv", "TS030"),
        ("nomis_2024_01_01.csv", None),
    ],
)
def test_the_table_code_is_read_from_the_file_name(filename, code):
    assert table_code_in(filename) == code


@pytest.mark.parametrize(
    ("age", "band"),
    [(0, "under_16"), (15, "under_16"), (16, "16_24"), (24, "16_24"), (84, "75_84"), (90, "85_over")],
)
def test_each_census_age_goes_to_the_form_band_it_falls_in(age, band):
    assert age_band(age) == band
