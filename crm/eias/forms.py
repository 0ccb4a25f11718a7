"""Forms for EIAs. The rules live in crm.eias.service; these only read the input."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovRadioInput, GovSubmitInput, GovTextInput
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from crm.eias.models import (
    ACTION_STATUSES,
    DIRECTIONS,
    EIA_OUTCOMES,
    SCREENING_DECISIONS,
    SEVERITIES,
)
from crm.forms import FeedbackIds, GovDateField, choices, max_length, no_control_characters, text_area


class EIAForm(FlaskForm):
    scope = text_area("Scope", "The proposal, and what the assessment covers")
    aims = text_area("Aims and objectives")
    affected = text_area("Who is affected", "Residents, service users, staff, partners")
    decision = text_area("The decision it informs", "For example, the board meeting and its date")
    screening_decision = RadioField(
        "Screening decision",
        widget=GovRadioInput(),
        choices=choices(SCREENING_DECISIONS),
        validate_choice=False,
    )
    screening_reason = text_area("Reason for the screening decision")
    data_sources = text_area("Data sources used", "Census, service data, surveys, engagement")
    data_gaps = text_area("Gaps in the data", "Who we have not heard from, and what we will do about it")
    aim_eliminate = text_area("Eliminating unlawful discrimination, harassment and victimisation")
    aim_opportunity = text_area("Advancing equality of opportunity")
    aim_relations = text_area("Fostering good relations")
    outcome = RadioField(
        "Outcome of the assessment",
        widget=GovRadioInput(),
        choices=choices(EIA_OUTCOMES),
        validate_choice=False,
    )
    justification = text_area("Justification for the outcome")
    review_due = GovDateField("Review date", description="For example, 27 3 2028", validators=[Optional()])
    submit = SubmitField("Save", widget=GovSubmitInput())


class FindingForm(FlaskForm):
    evidence = FeedbackIds("Evidence")
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
    narrative = text_area("What the evidence shows", "What people told us, what it means, and for whom")
    recommendations = SelectMultipleField(
        "Accepted recommendations it rests on", widget=GovCheckboxesInput(), coerce=int
    )
    submit = SubmitField("Save finding", widget=GovSubmitInput())


class ActionForm(FlaskForm):
    description = text_area("Action", "What will be done to remove the barrier or reduce the impact", 2000)
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
    monitoring = text_area("How it will be monitored", "The measure that shows it worked", 2000)
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
    comments = text_area("Comments", "Required when you return it", 5000)
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class SendForm(FlaskForm):
    send = SubmitField("Send for review", widget=GovSubmitInput())
