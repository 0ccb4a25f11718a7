"""Shared form pieces: GOV.UK-styled fields with clear, specific messages."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from wtforms import SubmitField
from wtforms.validators import Length, ValidationError

# Characters that have no business in names and titles: control characters apart from newlines and tabs.
_CONTROL = {chr(code) for code in range(32)} - {"\n", "\r", "\t"}


def no_control_characters(form, field):
    if field.data and any(char in _CONTROL for char in field.data):
        raise ValidationError(f"{field.label.text} must not contain control characters")


def max_length(label: str, limit: int) -> Length:
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


class ConfirmForm(FlaskForm):
    """A form with nothing but a button, for actions such as archive or deactivate."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())
