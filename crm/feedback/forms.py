from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from crm.feedback.models import CHOSEN_EXCLUSIONS, EXCLUSION_REASONS, SOURCES, STANCES
from crm.feedback.service import OTHER_CHANNELS
from crm.forms import (
    ADD_POLICY_HINT,
    GovDateField,
    linked_field,
    max_length,
    no_control_characters,
    picker_field,
)


class FeedbackForm(FlaskForm):
    """Feedback that arrived by email, phone, letter, meeting or social media."""

    source = RadioField(
        "How did it reach us?",
        widget=GovRadioInput(),
        choices=[SelectChoice(k, SOURCES[k]) for k in OTHER_CHANNELS],
        validators=[InputRequired("Select how the feedback reached us")],
    )
    text = TextAreaField(
        "What was said",
        widget=GovTextArea(),
        validators=[InputRequired("Enter what the person said"), max_length("Feedback", 10_000)],
    )
    received_on = GovDateField(
        "Date received",
        validators=[InputRequired("Enter the date it was received")],
        description="For example, 27 3 2026",
    )
    group_name = StringField(
        "Group (optional)",
        widget=GovTextInput(),
        description="The group’s name as it is on the register",
        validators=[max_length("Group", 200), no_control_characters],
    )
    contact_email = StringField(
        "Contact’s email address (optional)",
        widget=GovTextInput(),
        description="Links the feedback to a contact already on the register",
        validators=[max_length("Email address", 254)],
    )
    consultation_name = picker_field("Consultation (optional)", "The consultation’s title")
    add_policy = picker_field("Policy it is about (optional)", ADD_POLICY_HINT)
    characteristic_ids = SelectMultipleField("Speaks for (optional)", widget=GovCheckboxesInput(), coerce=int)
    stance = RadioField(
        "Stance (optional)",
        widget=GovRadioInput(),
        choices=[SelectChoice(k, v) for k, v in STANCES.items()],
        validators=[Optional()],
    )
    submit = SubmitField("Save feedback", widget=GovSubmitInput())


class CodingForm(FlaskForm):
    """One coding action on one item, a selection, or everything matching the filters."""

    action = RadioField(
        "Action",
        choices=[SelectChoice("add", "Add"), SelectChoice("remove", "Remove")],
        default="add",
        validators=[InputRequired("Select add or remove")],
        widget=GovRadioInput(),
    )
    kind = SelectField(
        "Code",
        widget=GovSelect(),
        validators=[InputRequired("Select what to code")],
        choices=[
            SelectChoice("theme", "Theme"),
            SelectChoice("barrier", "Barrier"),
            SelectChoice("characteristic", "Characteristic"),
            SelectChoice("stance", "Stance"),
        ],
    )
    theme = SelectField("Theme", widget=GovSelect(), validate_choice=False)
    barrier = SelectField("Barrier", widget=GovSelect(), validate_choice=False)
    characteristic = SelectField("Characteristic", widget=GovSelect(), validate_choice=False)
    stance = SelectField(
        "Stance",
        widget=GovSelect(),
        validate_choice=False,
        choices=[SelectChoice("", "No stance")] + [SelectChoice(k, v) for k, v in STANCES.items()],
    )
    scope = RadioField(
        "Apply to",
        widget=GovRadioInput(),
        default="selected",
        validate_choice=False,
        choices=[
            SelectChoice("selected", "Selected items"),
            SelectChoice("matching", "Every item matching the filters"),
        ],
    )
    submit = SubmitField("Apply code", widget=GovSubmitInput())

    def value(self) -> str:
        return getattr(self, self.kind.data).data or ""


class ThemeMergeForm(FlaskForm):
    survivor_id = SelectField(
        "Keep this theme",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Select the theme to keep")],
    )
    duplicate_id = SelectField(
        "Merge this theme into it",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Select the theme to merge")],
    )
    merge = SubmitField("Merge themes", widget=GovSubmitInput())


class QuickCaptureForm(FlaskForm):
    text = TextAreaField(
        "What was said",
        widget=GovTextArea(),
        validators=[InputRequired("Enter what the person said"), max_length("Feedback", 10_000)],
    )
    characteristic_ids = SelectMultipleField("Speaks for (optional)", widget=GovCheckboxesInput(), coerce=int)
    group_id = SelectField("Group (optional)", widget=GovSelect(), coerce=int, validators=[Optional()])
    theme_ids = SelectMultipleField("Themes (optional)", widget=GovCheckboxesInput(), coerce=int)
    barrier_ids = SelectMultipleField("Barriers (optional)", widget=GovCheckboxesInput(), coerce=int)
    stance = RadioField(
        "Stance (optional)",
        widget=GovRadioInput(),
        choices=[SelectChoice(k, v) for k, v in STANCES.items()],
        validators=[Optional()],
    )
    submit = SubmitField("Save and add another", widget=GovSubmitInput())


class CorrectionForm(FlaskForm):
    """The words and the links of an item, to put right what was captured wrongly."""

    text = TextAreaField(
        "What was said",
        widget=GovTextArea(),
        description="The words as first captured are kept, and the change is on record.",
        validators=[InputRequired("Enter what the person said"), max_length("Feedback", 10_000)],
    )
    consultation_name = picker_field("Consultation", "Its title. Leave it empty for no consultation.")
    event_name = picker_field(
        "Event", "Its title and day, like Skills Street, 3 March 2026. Leave it empty for no event."
    )
    group_name = StringField(
        "Group",
        widget=GovTextInput(),
        description="The group’s name as it is on the register. Leave it empty for no group.",
        validators=[max_length("Group", 200), no_control_characters],
    )
    policy_ids = linked_field("Policies it is evidence for")
    add_policy = picker_field("Add a policy (optional)", ADD_POLICY_HINT)
    seen = HiddenField()
    submit = SubmitField("Save corrections", widget=GovSubmitInput())


class ExclusionForm(FlaskForm):
    reason = RadioField(
        "Why should it not count?",
        widget=GovRadioInput(),
        choices=[SelectChoice(key, EXCLUSION_REASONS[key]) for key in CHOSEN_EXCLUSIONS],
        validators=[InputRequired("Select why this feedback should not count")],
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[max_length("The note", 2000)])
    submit = SubmitField("Exclude it", widget=GovSubmitInput())


class DuplicateForm(FlaskForm):
    original = StringField(
        "It repeats feedback number",
        widget=GovTextInput(),
        description="For example, FB-123. That item keeps counting; this one stops.",
        validators=[
            InputRequired("Enter the number of the feedback item it repeats"),
            max_length("Number", 20),
        ],
    )
    submit = SubmitField("Mark as a duplicate", widget=GovSubmitInput())
