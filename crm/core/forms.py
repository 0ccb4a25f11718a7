from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import BooleanField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

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
        form_class = {"Characteristic": CharacteristicForm, "CoproductionPrinciple": PrincipleForm}.get(
            kind.model.__name__, cls
        )
        return form_class(**kwargs)


class CharacteristicForm(ReferenceEntryForm):
    is_special_category = BooleanField(
        "Answers about this characteristic are special category data (UK GDPR Article 9)",
        widget=GovCheckboxInput(),
    )


class PrincipleForm(ReferenceEntryForm):
    """A co-production principle: the order matters (assessment forms and reports list them in it), so the
    admin sets it here."""

    sort_order = IntegerField(
        "Position in the list (optional)",
        widget=GovTextInput(),
        description="A whole number: lower numbers come first. Leave empty to keep its place (or, for a new "
        "principle, to put it last)",
        validators=[Optional(), NumberRange(0, 10_000, "Position must be a whole number from 0 to 10,000")],
    )
