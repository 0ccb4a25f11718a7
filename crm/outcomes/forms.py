"""The form for writing a consultation's outcome; crm.outcomes.service holds the rules."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField

from crm.forms import FeedbackIds, text_area


class OutcomeForm(FlaskForm):
    feedback = FeedbackIds("Linked feedback")
    we_asked = text_area("We asked", "The question or proposal we put to people", 5000)
    you_said = text_area(
        "You said",
        "A summary of what people told us. Theme counts are added for you, with small numbers hidden.",
        5000,
    )
    we_did = text_area("We did", "What was decided and what changed, with timing", 5000)
    submit = SubmitField("Save outcome", widget=GovSubmitInput())
