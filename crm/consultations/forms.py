from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from crm.consultations import monitoring
from crm.consultations.models import CHANNELS, FORMATS, QUESTION_KINDS, RESPONDENT_KINDS, RESPONSE_STATUSES
from crm.core.time import parse_time_of_day
from crm.forms import (
    ADD_POLICY_HINT,
    GovDateField,
    choices,
    linked_field,
    no_control_characters,
    picker_field,
)
from crm.forms import max_length as limit


def _valid_time(form, field):
    if field.data and parse_time_of_day(field.data) is None:
        raise ValidationError(f"{field.label.text} must be a time, like 9am, 5:30pm or 23:59")


class ConsultationForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a title"), limit("Title", 200), no_control_characters],
    )
    slug = StringField(
        "Web address",
        widget=GovTextInput(),
        description="End of the public address, like bus-fares-2027: lower-case letters, numbers and hyphens",
        validators=[InputRequired("Enter a web address"), limit("Web address", 100)],
    )
    owner_id = SelectField(
        "Officer running it",
        widget=GovSelect(),
        coerce=int,
        validators=[Optional()],
        description="They see its equality figures in the representation report",
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description="One or two sentences shown on the list of consultations",
        validators=[InputRequired("Enter a summary"), limit("Summary", 1000)],
    )
    background = TextAreaField("Background", widget=GovTextArea(), validators=[limit("Background", 20000)])
    policy_ids = linked_field("Policies this consultation informs")
    add_policy = picker_field("Add a policy it informs (optional)", ADD_POLICY_HINT)
    opens_on = GovDateField(
        "Opening date",
        description="In UK time. For example, 27 3 2027",
        validators=[Optional()],
    )
    opens_time = StringField(
        "Opening time", widget=GovTextInput(), description="For example, 9am", validators=[_valid_time]
    )
    closes_on = GovDateField(
        "Closing date",
        description="In UK time. For example, 31 3 2027",
        validators=[Optional()],
    )
    closes_time = StringField(
        "Closing time", widget=GovTextInput(), description="For example, 11:59pm", validators=[_valid_time]
    )
    characteristic_ids = SelectMultipleField(
        "Who must be heard: characteristics", widget=GovCheckboxesInput(), coerce=int
    )
    area_ids = SelectMultipleField("Who must be heard: areas", widget=GovCheckboxesInput(), coerce=int)
    formats = SelectMultipleField(
        "Accessible formats offered", widget=GovCheckboxesInput(), choices=choices(FORMATS)
    )
    privacy_notice = TextAreaField(
        "Privacy notice",
        widget=GovTextArea(),
        description="What we do with people's answers, shown next to the consent box",
        validators=[InputRequired("Enter the privacy notice"), limit("Privacy notice", 10000)],
    )
    asks_monitoring = BooleanField(
        "Ask the optional equality monitoring questions", widget=GovCheckboxInput()
    )
    asks_carer = BooleanField("Include the question about unpaid carers", widget=GovCheckboxInput())
    asks_care_experienced = BooleanField(
        "Include the question about being care experienced", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save consultation", widget=GovSubmitInput())

    def set_choices(self, linked_policies, characteristics, areas, runners=()) -> None:
        """`linked_policies`: (id, label) of the policies it informs already, to untick; `runners`: (id,
        name) of the officers and admins who may run it."""
        self.owner_id.choices = [SelectChoice(0, "Not given")] + [SelectChoice(v, n) for v, n in runners]
        self.policy_ids.choices = [SelectChoice(v, label) for v, label in linked_policies]
        self.characteristic_ids.choices = [SelectChoice(c.id, c.name) for c in characteristics]
        self.area_ids.choices = [SelectChoice(a.id, a.name) for a in areas]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for day, clock in ((self.opens_on, self.opens_time), (self.closes_on, self.closes_time)):
            if bool(day.data) != bool(clock.data) and not day.errors and not clock.errors:
                missing = clock if day.data else day
                missing.errors = [*missing.errors, f"Enter the {missing.label.text.lower()}"]
                ok = False
        return ok


class QuestionForm(FlaskForm):
    kind = RadioField(
        "Type of question",
        widget=GovRadioInput(),
        choices=choices(QUESTION_KINDS),
        validators=[InputRequired("Select the type of question")],
        validate_choice=False,
    )
    text = StringField(
        "Question",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the question"), limit("Question", 500), no_control_characters],
    )
    hint = TextAreaField("Hint text (optional)", widget=GovTextArea(), validators=[limit("Hint text", 1000)])
    required = BooleanField("People must answer this question", widget=GovCheckboxInput())
    max_length = IntegerField(
        "Character limit (free text only)",
        widget=GovTextInput(),
        description="Leave empty for 2,000 characters",
        validators=[Optional(), NumberRange(10, 10000, "Character limit must be between 10 and 10,000")],
    )
    options = TextAreaField(
        "Options (single and multiple choice only)",
        widget=GovTextArea(),
        description="One option on each line. The agreement scale has its own 5 options.",
        validators=[limit("Options", 5000)],
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())


class ResponseStatusForm(FlaskForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(RESPONSE_STATUSES),
        validate_choice=False,
        validators=[InputRequired("Select a status")],
    )
    submit = SubmitField("Change status", widget=GovSubmitInput())


def response_form_class(consultation, staff: bool = False):
    """A form for this consultation's questions, its monitoring section and the respondent's details.

    Fields carry no rules of their own: the service checks every answer, so the public form, officers'
    keyed-in responses and the demo data all follow the same ones.
    """

    class ResponseForm(FlaskForm):
        consultation_id = HiddenField()
        token = HiddenField()
        respondent_kind = RadioField(
            "Are you responding as an individual or on behalf of a group?",
            widget=GovRadioInput(),
            choices=choices(RESPONDENT_KINDS),
            validate_choice=False,
        )
        group_name = StringField(
            "Name of the group",
            widget=GovTextInput(),
            description="If it is a group we work with, type its name as it is usually written.",
        )
        name = StringField("Your name (optional)", widget=GovTextInput())
        email = StringField(
            "Email address (optional)",
            widget=GovTextInput(),
            description="Only if you would like a receipt, and to hear what happened as a result.",
        )
        wants_updates = BooleanField(
            "Email me a receipt now, and what happened once the outcome is published",
            widget=GovCheckboxInput(),
        )
        consent = BooleanField(
            "I have read the privacy notice and agree to my answers being used as it describes",
            widget=GovCheckboxInput(),
        )
        # A field people never see; bots fill it in.
        website = StringField("Leave this empty")
        submit = SubmitField("Send my response" if not staff else "Save response", widget=GovSubmitInput())

    if staff:
        ResponseForm.channel = RadioField(
            "How did the response arrive?",
            widget=GovRadioInput(),
            choices=[SelectChoice(k, v) for k, v in CHANNELS.items() if k != "online"],
            validate_choice=False,
        )
        ResponseForm.event_name = picker_field(
            "Event it was collected at",
            "Only for a response collected at an event: its title and day, like Skills Street, 3 March 2026",
        )
        ResponseForm.received_on = GovDateField(
            "Date received",
            validators=[Optional()],
            description="Leave empty for today",
        )
        ResponseForm.name = StringField("Respondent's name (optional)", widget=GovTextInput())
        ResponseForm.email = StringField("Respondent's email address (optional)", widget=GovTextInput())
        ResponseForm.wants_updates = BooleanField(
            "The respondent asked for a receipt and what happened, by email",
            widget=GovCheckboxInput(),
            description="A receipt is emailed to them when you save, and what happened once the outcome "
            "is published.",
        )
        ResponseForm.consent = BooleanField(
            "The respondent agreed to the privacy notice", widget=GovCheckboxInput()
        )

    for number, question in enumerate(consultation.questions, start=1):
        label = f"{number}. {question.text}" + ("" if question.required else " (optional)")
        options = [SelectChoice(value, text) for value, text in question.choices]
        if question.kind == "free_text":
            field = TextAreaField(label, widget=GovCharacterCount(), description=question.hint)
        elif question.kind == "multiple_choice":
            field = SelectMultipleField(
                label,
                widget=GovCheckboxesInput(),
                choices=options,
                validate_choice=False,
                description=question.hint or "Select all that apply.",
            )
        else:
            field = RadioField(
                label,
                widget=GovRadioInput(),
                choices=options,
                validate_choice=False,
                description=question.hint,
            )
        setattr(ResponseForm, f"q{question.id}", field)

    for question in monitoring.asked_questions(consultation):
        setattr(
            ResponseForm,
            f"about_{question.code}",
            RadioField(
                question.text,
                widget=GovRadioInput(),
                choices=[SelectChoice(code, text) for code, text in question.choices],
                validate_choice=False,
                description=question.hint,
            ),
        )
    return ResponseForm


def response_values(form, consultation) -> dict:
    """What the service needs from a filled-in response form."""
    answers = {}
    for question in consultation.questions:
        answers[question.id] = getattr(form, f"q{question.id}").data
    monitoring_answers = {
        question.code: getattr(form, f"about_{question.code}").data
        for question in monitoring.asked_questions(consultation)
    }
    return {
        "answers": answers,
        "token": form.token.data or "",
        "respondent_kind": form.respondent_kind.data or "",
        "group_name": form.group_name.data or "",
        "name": form.name.data or "",
        "email": form.email.data or "",
        "consent": bool(form.consent.data),
        "wants_updates": bool(form.wants_updates.data),
        "monitoring_answers": monitoring_answers,
    }
