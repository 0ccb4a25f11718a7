"""Equality-monitoring questions: ONS Census 2021 categories and the GSS harmonised disability questions.

"Prefer not to say" is offered on every question; a question left blank is stored as "Not answered", a
different code (reference section 4.8). Answers are stored apart from responses; see monitoring_store.
"""

from dataclasses import dataclass

PREFER_NOT = "prefer_not_to_say"
NOT_ANSWERED = "not_answered"
NOT_APPLICABLE = "not_applicable"
# Questions derived from one another, suppressed as one table (crm/core/suppression.suppress_related):
# "No" long-term condition is the same people as activity "Not asked", and "disabled" is worked out from both.
RELATED = ("long_term_condition", "disability_activity", "disabled")
RELATED_SAME = ((("long_term_condition", "no"), ("disability_activity", NOT_APPLICABLE)),)
RELATED_DERIVED = ("disabled",)
SPECIAL_LABELS = {
    PREFER_NOT: "Prefer not to say",
    NOT_ANSWERED: "Not answered",
    NOT_APPLICABLE: "Not asked (no long-term condition)",
}


@dataclass(frozen=True)
class MonitoringQuestion:
    code: str
    text: str
    options: tuple[tuple[str, str], ...]
    hint: str = ""
    switch: str = ""  # a consultation flag that must be on for the question to be asked
    derived: bool = False  # worked out from other answers, never asked

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [*self.options, (PREFER_NOT, SPECIAL_LABELS[PREFER_NOT])]

    @property
    def codes(self) -> list[str]:
        """Every code that can be stored, in reporting order."""
        extra = [NOT_APPLICABLE] if self.code == "disability_activity" else []
        return [code for code, _ in self.choices] + extra + [NOT_ANSWERED]

    def label(self, code: str) -> str:
        return dict(self.choices).get(code) or SPECIAL_LABELS.get(code, code)


ETHNIC_GROUPS = {
    "Asian or Asian British": [
        ("asian_bangladeshi", "Bangladeshi"),
        ("asian_chinese", "Chinese"),
        ("asian_indian", "Indian"),
        ("asian_pakistani", "Pakistani"),
        ("asian_other", "Any other Asian background"),
    ],
    "Black, Black British, Caribbean or African": [
        ("black_african", "African"),
        ("black_caribbean", "Caribbean"),
        ("black_other", "Any other Black, Black British or Caribbean background"),
    ],
    "Mixed or multiple ethnic groups": [
        ("mixed_white_asian", "White and Asian"),
        ("mixed_white_black_african", "White and Black African"),
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_other", "Any other Mixed or multiple ethnic background"),
    ],
    "White": [
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
        ("white_irish", "Irish"),
        ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
        ("white_roma", "Roma"),
        ("white_other", "Any other White background"),
    ],
    "Other ethnic group": [
        ("other_arab", "Arab"),
        ("other_any", "Any other ethnic group"),
    ],
}
YES_NO = (("yes", "Yes"), ("no", "No"))

QUESTIONS = [
    MonitoringQuestion(
        "age_band",
        "What is your age?",
        (
            ("under_16", "Under 16"),
            ("16_24", "16 to 24"),
            ("25_34", "25 to 34"),
            ("35_44", "35 to 44"),
            ("45_54", "45 to 54"),
            ("55_64", "55 to 64"),
            ("65_74", "65 to 74"),
            ("75_84", "75 to 84"),
            ("85_over", "85 or over"),
        ),
    ),
    MonitoringQuestion("sex", "What is your sex?", (("female", "Female"), ("male", "Male"))),
    MonitoringQuestion(
        "gender_identity",
        "Is the gender you identify with the same as your sex registered at birth?",
        YES_NO,
    ),
    MonitoringQuestion(
        "sexual_orientation",
        "Which of the following best describes your sexual orientation?",
        (
            ("straight", "Straight or heterosexual"),
            ("gay_lesbian", "Gay or lesbian"),
            ("bisexual", "Bisexual"),
            ("other", "Other sexual orientation"),
        ),
    ),
    MonitoringQuestion(
        "religion",
        "What is your religion?",
        (
            ("none", "No religion"),
            ("christian", "Christian (all denominations)"),
            ("buddhist", "Buddhist"),
            ("hindu", "Hindu"),
            ("jewish", "Jewish"),
            ("muslim", "Muslim"),
            ("sikh", "Sikh"),
            ("other", "Any other religion"),
        ),
    ),
    MonitoringQuestion(
        "ethnic_group",
        "What is your ethnic group?",
        tuple(
            (code, f"{group}: {label}")
            for group, categories in ETHNIC_GROUPS.items()
            for code, label in categories
        ),
        hint="Choose the one option that best describes your ethnic group or background.",
    ),
    MonitoringQuestion(
        "long_term_condition",
        "Do you have any physical or mental health conditions or illnesses lasting or expected to last "
        "12 months or more?",
        YES_NO,
    ),
    MonitoringQuestion(
        "disability_activity",
        "Does your condition or illness reduce your ability to carry out day-to-day activities?",
        (("yes_a_lot", "Yes, a lot"), ("yes_a_little", "Yes, a little"), ("not_at_all", "Not at all")),
        hint="Only answer this if you answered yes to the question before.",
    ),
    MonitoringQuestion(
        "disabled",
        "Disabled under the Equality Act 2010 (worked out from the two questions above)",
        (("disabled", "Disabled"), ("not_disabled", "Not disabled")),
        derived=True,
    ),
    MonitoringQuestion(
        "carer",
        "Do you look after, or give any help or support to, anyone because they have long-term physical or "
        "mental health conditions or illnesses, or problems related to old age?",
        YES_NO,
        hint="Do not count anything you do as part of your paid employment.",
        switch="asks_carer",
    ),
    MonitoringQuestion(
        "care_experienced",
        "Have you ever been in care, or are you care experienced?",
        YES_NO,
        hint="For example, in foster care, residential care or kinship care arranged by a council.",
        switch="asks_care_experienced",
    ),
]
BY_CODE = {question.code: question for question in QUESTIONS}


def questions_for(consultation) -> list[MonitoringQuestion]:
    """The questions this consultation asks (derived ones included), or none when monitoring is off."""
    if not consultation.asks_monitoring:
        return []
    return [q for q in QUESTIONS if not q.switch or getattr(consultation, q.switch)]


def asked_questions(consultation) -> list[MonitoringQuestion]:
    return [q for q in questions_for(consultation) if not q.derived]


def normalise(consultation, given: dict[str, str | None]) -> dict[str, str]:
    """Every asked question gets a code: the answer, or "Not answered". Unknown codes count as not answered
    only if blank; an unknown non-blank code is refused by the caller via `problems`."""
    codes = {}
    for question in asked_questions(consultation):
        value = (given.get(question.code) or "").strip()
        codes[question.code] = value or NOT_ANSWERED
    if "long_term_condition" in codes:
        condition = codes["long_term_condition"]
        if condition != "yes":
            codes["disability_activity"] = (
                NOT_APPLICABLE if condition == "no" else codes["disability_activity"]
            )
        activity = codes["disability_activity"]
        if condition == "yes" and activity in ("yes_a_lot", "yes_a_little"):
            codes["disabled"] = "disabled"
        elif condition == "no" or (condition == "yes" and activity == "not_at_all"):
            codes["disabled"] = "not_disabled"
        elif PREFER_NOT in (condition, activity):
            codes["disabled"] = PREFER_NOT
        else:
            codes["disabled"] = NOT_ANSWERED
    return codes


def problems(consultation, given: dict[str, str | None]) -> dict[str, str]:
    """Answers that were never offered (a tampered form)."""
    found = {}
    for question in asked_questions(consultation):
        value = (given.get(question.code) or "").strip()
        if value and value not in dict(question.choices):
            found[question.code] = "Select one of the options"
    return found
