"""Forms for policy influence, EIAs and outcomes. The rules live in eia_service; these only read the input."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from crm.forms import GovDateField, choices, max_length, no_control_characters
from crm.policies.eia_models import (
    ACTION_STATUSES,
    DIRECTIONS,
    EIA_OUTCOMES,
    INFLUENCE_USES,
    SCREENING_DECISIONS,
    SEVERITIES,
)


def _area(label: str, description: str = "", limit: int = 10000) -> TextAreaField:
    return TextAreaField(
        label, widget=GovTextArea(), description=description, validators=[max_length(label, limit)]
    )


class _Ids(SelectMultipleField):
    """Feedback ids ticked in a table the template draws itself; the service checks each one."""

    def pre_validate(self, form):
        pass

    def process_formdata(self, valuelist):
        self.data = []
        if any(not value.isdigit() for value in valuelist) or len(valuelist) > 1000:
            raise ValueError("Select feedback from the list shown")
        self.data = [int(value) for value in valuelist]


class InfluenceForm(FlaskForm):
    feedback = _Ids("Feedback")
    use = RadioField(
        "How was this feedback used?",
        widget=GovRadioInput(),
        choices=choices(INFLUENCE_USES),
        validators=[InputRequired("Select how the feedback was used")],
        validate_choice=False,
    )
    note = _area(
        "What changed, or why nothing changed",
        "Required when the feedback was considered with no change. Shown on the policy page.",
        5000,
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class EIAForm(FlaskForm):
    scope = _area("Scope", "The proposal, and what the assessment covers")
    aims = _area("Aims and objectives")
    affected = _area("Who is affected", "Residents, service users, staff, partners")
    decision = _area("The decision it informs", "For example, the board meeting and its date")
    screening_decision = RadioField(
        "Screening decision",
        widget=GovRadioInput(),
        choices=choices(SCREENING_DECISIONS),
        validate_choice=False,
    )
    screening_reason = _area("Reason for the screening decision")
    data_sources = _area("Data sources used", "Census, service data, surveys, engagement")
    data_gaps = _area("Gaps in the data", "Who we have not heard from, and what we will do about it")
    aim_eliminate = _area("Eliminating unlawful discrimination, harassment and victimisation")
    aim_opportunity = _area("Advancing equality of opportunity")
    aim_relations = _area("Fostering good relations")
    outcome = RadioField(
        "Outcome of the assessment",
        widget=GovRadioInput(),
        choices=choices(EIA_OUTCOMES),
        validate_choice=False,
    )
    justification = _area("Justification for the outcome")
    review_due = GovDateField("Review date", description="For example, 27 3 2028", validators=[Optional()])
    submit = SubmitField("Save", widget=GovSubmitInput())


class FindingForm(FlaskForm):
    evidence = _Ids("Evidence")
    direction = RadioField(
        "Impact",
        widget=GovRadioInput(),
        choices=choices(DIRECTIONS),
        validators=[InputRequired("Select the direction of the impact")],
        validate_choice=False,
    )
    severity = RadioField(
        "Severity",
        widget=GovRadioInput(),
        choices=choices(SEVERITIES),
        validators=[Optional()],
        validate_choice=False,
    )
    narrative = _area("What the evidence shows", "What people told us, what it means, and for whom")
    submit = SubmitField("Save finding", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    description = _area("Action", "What will be done to remove the barrier or reduce the impact", 2000)
    owner = StringField(
        "Owner",
        widget=GovTextInput(),
        description="The person or team responsible",
        validators=[max_length("Owner", 200), no_control_characters],
    )
    due_date = GovDateField("Due date", description="For example, 27 3 2027", validators=[Optional()])
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(ACTION_STATUSES),
        default="planned",
        validate_choice=False,
    )
    monitoring = _area("How it will be monitored", "The measure that shows it worked", 2000)
    submit = SubmitField("Add action", widget=GovSubmitInput())


class ReviewForm(FlaskForm):
    decision = RadioField(
        "Your decision",
        widget=GovRadioInput(),
        choices=[
            SelectChoice("approve", "Approve this EIA"),
            SelectChoice("return", "Return it to the policy lead with comments"),
        ],
        validators=[InputRequired("Select whether to approve the EIA or return it")],
        validate_choice=False,
    )
    comments = _area("Comments", "Required when you return it", 5000)
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class SendForm(FlaskForm):
    send = SubmitField("Send for review", widget=GovSubmitInput())


class OutcomeForm(FlaskForm):
    feedback = _Ids("Linked feedback")
    we_asked = _area("We asked", "The question or proposal we put to people", 5000)
    you_said = _area(
        "You said",
        "A summary of what people told us. Theme counts are added for you, with small numbers hidden.",
        5000,
    )
    we_did = _area("We did", "What was decided and what changed, with timing", 5000)
    submit = SubmitField("Save outcome", widget=GovSubmitInput())
