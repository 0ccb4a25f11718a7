from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from crm.forms import max_length, no_control_characters


class ReferenceEntryForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name"), max_length("Name", 120), no_control_characters],
    )
    description = TextAreaField(
        "Description (optional)", widget=GovTextArea(), validators=[max_length("Description", 2000)]
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    @classmethod
    def for_kind(cls, kind, **kwargs):
        form_class = CharacteristicForm if kind.model.__name__ == "Characteristic" else cls
        return form_class(**kwargs)


class CharacteristicForm(ReferenceEntryForm):
    is_special_category = BooleanField(
        "Answers about this characteristic are special category data (UK GDPR Article 9)",
        widget=GovCheckboxInput(),
    )
