from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, NumberRange, Optional

from crm.bodies.models import BODY_KINDS, DECISIONS, IMPLEMENTATION_STATES, MEMBER_ROLES
from crm.forms import (
    ADD_POLICY_HINT,
    GovDateField,
    WholeNumberField,
    choices,
    linked_field,
    max_length,
    no_control_characters,
    picker_field,
    text_area,
)


class BodyForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the body's name"), max_length("Name", 200), no_control_characters],
    )
    slug = StringField(
        "Web address of its public register",
        widget=GovTextInput(),
        description="Lower-case letters, numbers and hyphens, like youth-assembly",
        validators=[InputRequired("Enter a web address"), max_length("Web address", 100)],
    )
    kind = RadioField(
        "Kind of body",
        widget=GovRadioInput(),
        choices=choices(BODY_KINDS),
        validators=[InputRequired("Select the kind of body")],
    )
    remit = text_area("Remit", "What the body is for", limit=20_000)
    terms_of_reference = text_area("Terms of reference", limit=20_000)
    response_weeks = WholeNumberField(
        "Weeks the authority has to respond to a recommendation",
        widget=GovTextInput(),
        default=8,
        validators=[
            InputRequired("Enter the weeks to respond, like 8"),
            NumberRange(1, 52, "Weeks to respond must be between 1 and 52"),
        ],
    )
    has_public_register = BooleanField(
        "Publish a public register of its recommendations and the published responses",
        widget=GovCheckboxInput(),
    )
    policy_ids = linked_field("Policies referred to it")
    add_policy = picker_field("Refer a policy (optional)", ADD_POLICY_HINT)
    submit = SubmitField("Save body", widget=GovSubmitInput())

    def values(self, policy_ids: list[int]) -> dict:
        return {
            "name": self.name.data or "",
            "slug": self.slug.data or "",
            "kind": self.kind.data,
            "remit": self.remit.data or "",
            "terms_of_reference": self.terms_of_reference.data or "",
            "response_weeks": self.response_weeks.data,
            "has_public_register": self.has_public_register.data,
            "policy_ids": policy_ids,
        }


class MemberForm(FlaskForm):
    contact = StringField(
        "Contact",
        widget=GovTextInput(),
        description="Their email address, or their full name as on the contacts register",
        validators=[InputRequired("Enter the contact's email address or name"), max_length("Contact", 300)],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=choices(MEMBER_ROLES),
        default="member",
        validators=[InputRequired("Select the member's role")],
    )
    starts_on = GovDateField("Term starts", validators=[InputRequired("Enter the date the term starts")])
    ends_on = GovDateField("Term ends (optional)", validators=[Optional()])
    is_under_18 = BooleanField("The member is under 18", widget=GovCheckboxInput())
    consent = text_area(
        "Consent that applies (for a member under 18)",
        "Who gave consent for them to take part (a parent or carer, or the young person where the body's "
        "safeguarding policy allows), when and how",
        limit=2000,
    )
    submit = SubmitField("Add member", widget=GovSubmitInput())


class MeetingForm(FlaskForm):
    event_name = picker_field(
        "Meeting", "The event's title and day, like Youth assembly, 3 March 2026: log the event first"
    )
    submit = SubmitField("Add meeting", widget=GovSubmitInput())


class EndTermForm(FlaskForm):
    ends_on = GovDateField("Term ends", validators=[InputRequired("Enter the date the term ends")])
    submit = SubmitField("End term", widget=GovSubmitInput())


class RecommendationForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        description="A short name for it, like Free bus travel for care leavers",
        validators=[InputRequired("Enter a short title"), max_length("Title", 200), no_control_characters],
    )
    text = text_area("The recommendation", "As the body or event put it", limit=20_000)
    body_id = SelectField("Standing body", widget=GovSelect(), coerce=int, validators=[Optional()])
    event_name = picker_field(
        "Meeting or event it came from (optional)",
        "The event's title and day, like Youth assembly, 3 March 2026",
    )
    made_on = GovDateField(
        "Date made", validators=[InputRequired("Enter the date the recommendation was made")]
    )
    owner_id = SelectField(
        "Owner of the authority's response",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Select who owns the response")],
    )
    policy_ids = linked_field("Policies it is about")
    add_policy = picker_field("Add a policy (optional)", ADD_POLICY_HINT)
    submit = SubmitField("Save recommendation", widget=GovSubmitInput())


class ResponseForm(FlaskForm):
    decision = RadioField(
        "The authority's decision",
        widget=GovRadioInput(),
        choices=choices(DECISIONS),
        validators=[InputRequired("Select the authority's decision")],
    )
    reasons = text_area(
        "Reasons", "Needed unless the recommendation is accepted in full: say why, and what instead", 20_000
    )
    responded_on = GovDateField(
        "Date of the response", validators=[InputRequired("Enter the date of the response")]
    )
    submit = SubmitField("Save response", widget=GovSubmitInput())


class ImplementationForm(FlaskForm):
    implementation = RadioField(
        "How far it has been carried out",
        widget=GovRadioInput(),
        choices=choices(IMPLEMENTATION_STATES),
        validators=[InputRequired("Select how far it has been carried out")],
    )
    evidence = text_area("Evidence", "What was done and where it can be seen (needed once done)", 20_000)
    submit = SubmitField("Save progress", widget=GovSubmitInput())
