"""Shared form pieces: GOV.UK-styled fields with clear, specific messages."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovDateInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DateField, IntegerField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.utils import unset_value
from wtforms.validators import Length, ValidationError

from crm.core.args import whole_number
from crm.core.time import parse_day_boxes

# Characters that have no business in names and titles: control characters apart from newlines and tabs.
_CONTROL = {chr(code) for code in range(32)} - {"\n", "\r", "\t"}


def choices(mapping: dict) -> list[SelectChoice]:
    """Form choices from a {value: label} mapping."""
    return [SelectChoice(value, label) for value, label in mapping.items()]


def optional_choices(pairs) -> list[SelectChoice]:
    """Choices from (id, label) pairs with "None" (0) first, for a select that may be left empty."""
    return [SelectChoice(0, "None")] + [SelectChoice(value, label) for value, label in pairs]


def no_control_characters(form, field):
    if field.data and any(char in _CONTROL for char in field.data):
        raise ValidationError(f"{field.label.text} must not contain control characters")


def max_length(label: str, limit: int) -> Length:
    return Length(max=limit, message=f"{label} must be {limit} characters or fewer")


class ConfirmForm(FlaskForm):
    """A form with nothing but a button, for actions such as archive or deactivate."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class GovDateField(DateField):
    """A GOV.UK date input (day, month and year boxes sharing one name), read as a date."""

    widget = GovDateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")  # how _value() writes the date back into the boxes
        super().__init__(label, validators, **kwargs)

    def process(self, formdata, data=unset_value, extra_filters=None):
        super().process(formdata, data, extra_filters)
        if not self.raw_data or len(self.raw_data) != 3:
            # Not posted, or tampered with: the widget then draws the boxes from the data instead.
            self.raw_data = None

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        if len(valuelist) != 3:
            raise ValueError("Enter a day, month and year")
        self.data = parse_day_boxes(*valuelist)
        if self.data is None:
            # GOV.UK's wording: name the field and say what is wrong ("Date received must be a real date").
            raise ValueError(f"{self.label.text} must be a real date")


class WholeNumberField(IntegerField):
    """A number box whose error names the field ("Weeks ... must be a whole number"), not WTForms' own."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(f"{self.label.text} must be a whole number") from error


def text_area(label: str, description: str = "", limit: int = 10000) -> TextAreaField:
    """A GOV.UK textarea capped at `limit` characters."""
    return TextAreaField(
        label, widget=GovTextArea(), description=description, validators=[max_length(label, limit)]
    )


def picker_field(label: str, description: str = "") -> StringField:
    """A text field that names a record on a register (crm/core/pickers.py), drawn by includes/picker.html."""
    return StringField(
        label,
        widget=GovTextInput(),
        description=description,
        validators=[max_length(label.removesuffix(" (optional)"), 300), no_control_characters],
    )


def linked_field(label: str) -> SelectMultipleField:
    """The records a record is linked to already, as ticked checkboxes (untick to remove); its choices are
    those links alone, so nothing else can be ticked. A picker_field beside it adds one more."""
    return SelectMultipleField(label, widget=GovCheckboxesInput(), coerce=int)


ADD_POLICY_HINT = "Type its reference or title, like BUS-9 or Evening bus network"


class FeedbackIds(SelectMultipleField):
    """Feedback ids ticked in a table the template draws itself; the service checks each one."""

    def pre_validate(self, form):
        pass

    def process_formdata(self, valuelist):
        self.data = []
        if any(whole_number(value) is None for value in valuelist) or len(valuelist) > 1000:
            raise ValueError("Select feedback from the list shown")
        self.data = [int(value) for value in valuelist]
