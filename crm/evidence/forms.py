"""The form for recording how feedback was used on a policy; crm.evidence.service holds the rules."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from crm.forms import FeedbackIds, choices, text_area
from crm.policies.models import INFLUENCE_USES


class InfluenceForm(FlaskForm):
    feedback = FeedbackIds("Feedback")
    use = RadioField(
        "How was this feedback used?",
        widget=GovRadioInput(),
        choices=choices(INFLUENCE_USES),
        validators=[InputRequired("Select how the feedback was used")],
        validate_choice=False,
    )
    note = text_area(
        "What changed, or why nothing changed",
        "Required when the feedback was considered with no change. Shown on the policy page.",
        5000,
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class AddEvidenceForm(FlaskForm):
    feedback = FeedbackIds("Feedback")
    submit = SubmitField("Add to this policy’s evidence", widget=GovSubmitInput())
