import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Optional, ValidationError

from crm.core.models import Area, Characteristic
from crm.core.reference import active_choices
from crm.forms import GovDateField, choices, max_length, no_control_characters
from crm.groups.models import ACCESS_NEEDS, CONSENT_METHODS, GROUP_KINDS, GROUP_STATUSES, LAWFUL_BASES
from crm.groups.service import ContactValues, GroupValues

PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")


def phone_number(form, field):
    if field.data and not PHONE.match(field.data.strip()):
        raise ValidationError("Enter a phone number, like 0121 496 0000 or +44 7700 900 982")


def web_address(form, field):
    if field.data and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", field.data.strip()):
        raise ValidationError("Enter a website address starting with https://, like https://www.example.org")


def optional_email(label: str):
    return [
        Optional(),
        max_length(label, 254),
        Email(f"Enter {label.lower()} in the correct format, like name@example.org"),
    ]


class GroupForm(FlaskForm):
    name = StringField(
        "Group name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the group’s name"),
            max_length("Group name", 200),
            no_control_characters,
        ],
    )
    kind = RadioField(
        "Kind of group",
        widget=GovRadioInput(),
        choices=choices(GROUP_KINDS),
        validators=[InputRequired("Select the kind of group")],
    )
    description = TextAreaField(
        "What the group does", widget=GovTextArea(), validators=[max_length("What the group does", 5000)]
    )
    areas = SelectMultipleField(
        "Areas served",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Select all that apply, or Region-wide.",
    )
    characteristics = SelectMultipleField(
        "Characteristics the group represents",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Select all that apply.",
    )
    languages = StringField(
        "Languages used",
        widget=GovTextInput(),
        description="For example, Punjabi, Urdu, BSL",
        validators=[max_length("Languages used", 500), no_control_characters],
    )
    access_needs = SelectMultipleField(
        "Accessibility needs when we engage them", widget=GovCheckboxesInput(), choices=choices(ACCESS_NEEDS)
    )
    website = StringField(
        "Website", widget=GovTextInput(), validators=[max_length("Website", 500), web_address]
    )
    email = EmailField(
        "Group email address", widget=GovTextInput(), validators=optional_email("Group email address")
    )
    phone = StringField(
        "Group phone number", widget=GovTextInput(), validators=[max_length("Phone number", 40), phone_number]
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(GROUP_STATUSES),
        default="active",
        validators=[InputRequired("Select a status")],
    )
    lawful_basis = RadioField(
        "Basis for contacting the group",
        widget=GovRadioInput(),
        choices=choices(LAWFUL_BASES),
        default="public_task",
        validators=[InputRequired("Select the basis for contacting the group")],
    )
    create_anyway = BooleanField("This is a different group: save it anyway", widget=GovCheckboxInput())
    submit = SubmitField("Save group", widget=GovSubmitInput())

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        current_areas = [(a.id, a.name) for a in group.areas] if group else []
        current_chars = [(c.id, c.name) for c in group.characteristics] if group else []
        # Retired entries stay selectable on records that already have them.
        self.areas.choices = _merge(active_choices(Area), current_areas)
        self.characteristics.choices = _merge(active_choices(Characteristic), current_chars)
        if group is not None and not self.is_submitted():
            self.areas.data = [a.id for a in group.areas]
            self.characteristics.data = [c.id for c in group.characteristics]

    def values(self) -> GroupValues:
        return GroupValues(
            name=self.name.data.strip(),
            kind=self.kind.data,
            description=(self.description.data or "").strip(),
            languages=(self.languages.data or "").strip(),
            access_needs=self.access_needs.data or [],
            website=(self.website.data or "").strip(),
            email=(self.email.data or "").strip().lower(),
            phone=(self.phone.data or "").strip(),
            status=self.status.data,
            lawful_basis=self.lawful_basis.data,
            area_ids=self.areas.data or [],
            characteristic_ids=self.characteristics.data or [],
        )


def _merge(active: list[tuple[int, str]], current: list[tuple[int, str]]) -> list[SelectChoice]:
    seen = {value for value, _ in active}
    return [SelectChoice(v, label) for v, label in active + [c for c in current if c[0] not in seen]]


class ContactForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the contact’s name"),
            max_length("Full name", 120),
            no_control_characters,
        ],
    )
    role = StringField(
        "Role in the group",
        widget=GovTextInput(),
        validators=[max_length("Role", 120), no_control_characters],
    )
    email = EmailField("Email address", widget=GovTextInput(), validators=optional_email("Email address"))
    phone = StringField(
        "Phone number", widget=GovTextInput(), validators=[max_length("Phone number", 40), phone_number]
    )
    preferred_language = StringField(
        "Preferred language",
        widget=GovTextInput(),
        validators=[max_length("Preferred language", 60), no_control_characters],
    )
    access_needs = StringField(
        "Accessibility needs",
        widget=GovTextInput(),
        description="For example, needs a BSL interpreter or large print",
        validators=[max_length("Accessibility needs", 500), no_control_characters],
    )
    consent_given = BooleanField("They have agreed to be contacted", widget=GovCheckboxInput())
    consent_date = GovDateField(
        "Date they agreed", validators=[Optional()], description="For example, 27 3 2026"
    )
    consent_method = SelectField(
        "How they agreed",
        widget=GovSelect(),
        choices=[SelectChoice("", "Select how")] + choices(CONSENT_METHODS),
        validators=[Optional()],
    )
    consent_wording = TextAreaField(
        "Wording they agreed to", widget=GovTextArea(), validators=[max_length("Wording", 2000)]
    )
    do_not_contact = BooleanField("Do not contact (they asked us not to)", widget=GovCheckboxInput())
    submit = SubmitField("Save contact", widget=GovSubmitInput())

    def values(self) -> ContactValues:
        return ContactValues(
            name=self.name.data.strip(),
            role=(self.role.data or "").strip(),
            email=(self.email.data or "").strip().lower(),
            phone=(self.phone.data or "").strip(),
            preferred_language=(self.preferred_language.data or "").strip(),
            access_needs=(self.access_needs.data or "").strip(),
            consent_given=bool(self.consent_given.data),
            consent_date=self.consent_date.data,
            consent_method=self.consent_method.data or "",
            consent_wording=(self.consent_wording.data or "").strip(),
            do_not_contact=bool(self.do_not_contact.data),
        )


class MergeForm(FlaskForm):
    duplicate_id = SelectField(
        "Group to merge into this one",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Select the group to merge into this one")],
    )
    submit = SubmitField("Merge groups", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    file = FileField(
        "Spreadsheet file",
        widget=GovFileInput(),
        description="An Excel workbook (.xlsx), or a CSV file saved as CSV UTF-8, in the template’s columns.",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


REGISTRATION_CONSENT = (
    "I agree that the West Midlands Combined Authority may keep these details and contact me about "
    "consultations and engagement relevant to our group. I can ask for them to be removed at any time."
)


class RegistrationForm(FlaskForm):
    name = StringField(
        "Name of your group",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the name of your group"),
            max_length("Group name", 200),
            no_control_characters,
        ],
    )
    description = TextAreaField(
        "What does your group do?",
        widget=GovTextArea(),
        validators=[InputRequired("Tell us what your group does"), max_length("What your group does", 2000)],
    )
    areas = SelectMultipleField(
        "Where does your group work?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Select all that apply.",
        validators=[InputRequired("Select where your group works")],
    )
    characteristics = SelectMultipleField(
        "Which communities does your group represent?",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="Select all that apply. Leave blank if none of these fit.",
    )
    languages = StringField(
        "Languages your members use (optional)",
        widget=GovTextInput(),
        validators=[max_length("Languages", 500), no_control_characters],
    )
    access_needs = SelectMultipleField(
        "What do you need from us to take part? (optional)",
        widget=GovCheckboxesInput(),
        choices=choices(ACCESS_NEEDS),
    )
    website = StringField(
        "Website (optional)", widget=GovTextInput(), validators=[max_length("Website", 500), web_address]
    )
    contact_name = StringField(
        "Your full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your full name"),
            max_length("Your name", 120),
            no_control_characters,
        ],
    )
    contact_role = StringField(
        "Your role in the group (optional)",
        widget=GovTextInput(),
        validators=[max_length("Your role", 120), no_control_characters],
    )
    contact_email = EmailField(
        "Your email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), *optional_email("Your email address")[1:]],
    )
    contact_phone = StringField(
        "Your phone number (optional)",
        widget=GovTextInput(),
        validators=[max_length("Phone number", 40), phone_number],
    )
    consent = BooleanField(
        REGISTRATION_CONSENT,
        widget=GovCheckboxInput(),
        validators=[InputRequired("Agree to us keeping your details, or we cannot register your group")],
    )
    # Hidden from people (and from assistive technology); bots fill it in.
    nickname = StringField("Leave this blank")
    submit = SubmitField("Register group", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = choices(dict(active_choices(Area)))
        self.characteristics.choices = choices(dict(active_choices(Characteristic)))
