"""The Census 2021 topic summary tables a baseline can be imported from, and the default mapping of each
table's categories to the answer codes of the form's monitoring question (crm.consultations.monitoring).

Category labels are as ONS prints them after the variable's name ("Ethnic group: White: Irish" is "White:
Irish" of the "Ethnic group" variable). They are only the starting point: admins change the mapping, and add
categories a file holds that are missing here, at /staff/reports/baselines/mapping.

The rules of the default mapping:
- Where the census has a heading and the detail under it (TS021's five groups over nineteen categories;
  TS038's "Disabled under the Equality Act" over "limited a lot" and "a little"), the detail is mapped and the
  heading is excluded, so nobody is counted twice.
- "Not answered" (the voluntary questions: religion, sexual orientation, gender identity) maps to the form's
  not_answered code: it is the same thing, a person who left the question blank, and it is part of the total.
- "Does not apply" is excluded: it counts people outside the question's population (the census did not ask
  them), who have no counterpart among respondents asked the question.
"""

from dataclasses import dataclass

from crm.consultations.monitoring import NOT_ANSWERED
from crm.reports.models import EXCLUDED


@dataclass(frozen=True)
class TableDefinition:
    code: str
    title: str
    variable: str
    total_label: str
    question_code: str
    categories: tuple[tuple[str, str], ...]  # (census label, monitoring code or EXCLUDED)


def _ethnic_group() -> tuple[tuple[str, str], ...]:
    asian = "Asian, Asian British or Asian Welsh"
    black = "Black, Black British, Black Welsh, Caribbean or African"
    mixed = "Mixed or Multiple ethnic groups"
    other = "Other ethnic group"
    return (
        (asian, EXCLUDED),
        (f"{asian}: Bangladeshi", "asian_bangladeshi"),
        (f"{asian}: Chinese", "asian_chinese"),
        (f"{asian}: Indian", "asian_indian"),
        (f"{asian}: Pakistani", "asian_pakistani"),
        (f"{asian}: Other Asian", "asian_other"),
        (black, EXCLUDED),
        (f"{black}: African", "black_african"),
        (f"{black}: Caribbean", "black_caribbean"),
        (f"{black}: Other Black", "black_other"),
        (mixed, EXCLUDED),
        (f"{mixed}: White and Asian", "mixed_white_asian"),
        (f"{mixed}: White and Black African", "mixed_white_black_african"),
        (f"{mixed}: White and Black Caribbean", "mixed_white_black_caribbean"),
        (f"{mixed}: Other Mixed or Multiple ethnic groups", "mixed_other"),
        ("White", EXCLUDED),
        ("White: English, Welsh, Scottish, Northern Irish or British", "white_british"),
        ("White: Irish", "white_irish"),
        ("White: Gypsy or Irish Traveller", "white_gypsy_traveller"),
        ("White: Roma", "white_roma"),
        ("White: Other White", "white_other"),
        (other, EXCLUDED),
        (f"{other}: Arab", "other_arab"),
        (f"{other}: Any other ethnic group", "other_any"),
        ("Does not apply", EXCLUDED),
    )


# The form's age bands, by their first year; each census age goes to the band it falls in.
AGE_BANDS = ((0, "under_16"), (16, "16_24"), (25, "25_34"), (35, "35_44"), (45, "45_54"), (55, "55_64"))
AGE_BANDS += ((65, "65_74"), (75, "75_84"), (85, "85_over"))


def age_band(age: int) -> str:
    return [code for start, code in AGE_BANDS if age >= start][-1]


def _single_years() -> tuple[tuple[str, str], ...]:
    labels = ["Aged under 1 year", "Aged 1 year"] + [f"Aged {age} years" for age in range(2, 100)]
    return (
        *((label, age_band(age)) for age, label in enumerate(labels)),
        ("Aged 100 years and over", "85_over"),
    )


def _five_year_bands() -> tuple[tuple[str, str], ...]:
    # "15 to 19" straddles the form's 16: it goes with 16 to 24, where four of its five years belong. Import
    # TS007 (single years) instead where the split matters.
    bands = [("Aged 4 years and under", "under_16")]
    for start in range(5, 85, 5):
        bands.append((f"Aged {start} to {start + 4} years", age_band(16 if start == 15 else start)))
    return (*bands, ("Aged 85 years and over", "85_over"))


TABLES = (
    TableDefinition(
        "TS021", "Ethnic group", "Ethnic group", "Total: All usual residents", "ethnic_group", _ethnic_group()
    ),
    TableDefinition(
        "TS007A",
        "Age by five-year age bands",
        "Age",
        "Total: All usual residents",
        "age_band",
        _five_year_bands(),
    ),
    TableDefinition(
        "TS007", "Age by single year of age", "Age", "Total: All usual residents", "age_band", _single_years()
    ),
    TableDefinition("TS008", "Sex", "Sex", "All persons", "sex", (("Female", "female"), ("Male", "male"))),
    TableDefinition(
        "TS030",
        "Religion",
        "Religion",
        "Total: All usual residents",
        "religion",
        (
            ("No religion", "none"),
            ("Christian", "christian"),
            ("Buddhist", "buddhist"),
            ("Hindu", "hindu"),
            ("Jewish", "jewish"),
            ("Muslim", "muslim"),
            ("Sikh", "sikh"),
            ("Other religion", "other"),
            ("Not answered", NOT_ANSWERED),
        ),
    ),
    TableDefinition(
        "TS038",
        "Disability",
        "Disability",
        "Total: All usual residents",
        "disabled",
        (
            ("Disabled under the Equality Act", EXCLUDED),
            ("Disabled under the Equality Act: Day-to-day activities limited a lot", "disabled"),
            ("Disabled under the Equality Act: Day-to-day activities limited a little", "disabled"),
            ("Not disabled under the Equality Act", EXCLUDED),
            (
                "Not disabled under the Equality Act: Has long term physical or mental health condition but "
                "day-to-day activities are not limited",
                "not_disabled",
            ),
            (
                "Not disabled under the Equality Act: No long term physical or mental health conditions",
                "not_disabled",
            ),
        ),
    ),
    TableDefinition(
        "TS039",
        "Provision of unpaid care",
        "Provision of unpaid care",
        "Total: All usual residents aged 5 and over",
        "carer",
        (
            ("Provides no unpaid care", "no"),
            ("Provides 19 hours or less unpaid care a week", "yes"),
            ("Provides 20 to 49 hours unpaid care a week", "yes"),
            ("Provides 50 or more hours unpaid care a week", "yes"),
        ),
    ),
    TableDefinition(
        "TS077",
        "Sexual orientation",
        "Sexual orientation",
        "Total: All usual residents aged 16 years and over",
        "sexual_orientation",
        (
            ("Straight or Heterosexual", "straight"),
            ("Gay or Lesbian", "gay_lesbian"),
            ("Bisexual", "bisexual"),
            ("All other sexual orientations", "other"),
            ("Not answered", NOT_ANSWERED),
        ),
    ),
    TableDefinition(
        "TS078",
        "Gender identity",
        "Gender identity",
        "Total: All usual residents aged 16 years and over",
        "gender_identity",
        (
            ("Gender identity the same as sex registered at birth", "yes"),
            ("Gender identity different from sex registered at birth but no specific identity given", "no"),
            ("Trans woman", "no"),
            ("Trans man", "no"),
            ("Non-binary", "no"),
            ("All other gender identities", "no"),
            ("Not answered", NOT_ANSWERED),
        ),
    ),
)
# TS071 (armed forces veterans) is left out until the form asks about the armed forces community: a table
# needs a monitoring question to map to.
