from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import EmailField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired

from crm.forms import choices, max_length, no_control_characters
from crm.privacy.models import KINDS, STATUSES


class DataRequestForm(FlaskForm):
    kind = RadioField(
        "What do you want us to do?",
        widget=GovRadioInput(),
        choices=choices(KINDS),
        validators=[InputRequired("Select what you want us to do")],
        validate_choice=False,  # the service checks it and says so next to the field
    )
    reference = StringField(
        "Receipt reference (if you responded to a consultation)",
        widget=GovTextInput(),
        description="It was shown when you sent your response, and looks like CV-AB12-CD34. "
        "You need it to withdraw a response.",
        validators=[max_length("Receipt reference", 20), no_control_characters],
    )
    name = StringField(
        "Your name (optional)",
        widget=GovTextInput(),
        validators=[max_length("Your name", 120), no_control_characters],
    )
    email = EmailField(
        "Your email address",
        widget=GovTextInput(),
        description="We use it to reply to you about this request.",
        validators=[InputRequired("Enter your email address"), max_length("Email address", 254)],
    )
    description = TextAreaField(
        "Details (optional)",
        widget=GovTextArea(),
        description="For example, what needs correcting, or anything that helps us find your information.",
        validators=[max_length("Details", 5000)],
    )
    submit = SubmitField("Send request", widget=GovSubmitInput())


class TokenForm(FlaskForm):
    """A confirmation link's token carried into the POST that uses it (GET never changes anything, so an
    email scanner that follows links cannot confirm a request or withdraw consent)."""

    token = HiddenField()
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class UpdateRequestForm(FlaskForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(STATUSES),
        validators=[InputRequired("Select a status")],
        validate_choice=False,
    )
    note = TextAreaField("Note (optional)", widget=GovTextArea(), validators=[max_length("Note", 5000)])
    submit = SubmitField("Save", widget=GovSubmitInput())


class IdentityForm(FlaskForm):
    how = TextAreaField(
        "How did you check who is asking?",
        widget=GovTextArea(),
        description="For example, a phone call to the number on their group’s record.",
        validators=[InputRequired("Say how you checked who is asking"), max_length("How you checked", 2000)],
    )
    # Not "submit": the request page has the status form's button too, and ids must be unique.
    record_check = SubmitField("Record identity check", widget=GovSubmitInput())


class OrganisationDetailsForm(FlaskForm):
    name = StringField(
        "Organisation name",
        widget=GovTextInput(),
        validators=[max_length("Organisation name", 200), no_control_characters],
    )
    address = TextAreaField(
        "Postal address", widget=GovTextArea(), validators=[max_length("Postal address", 1000)]
    )
    email = EmailField("Email address", widget=GovTextInput(), validators=[max_length("Email address", 254)])
    phone = StringField(
        "Phone number",
        widget=GovTextInput(),
        validators=[max_length("Phone number", 40), no_control_characters],
    )
    dpo_name = StringField(
        "Data protection officer’s name",
        widget=GovTextInput(),
        validators=[max_length("Data protection officer’s name", 120), no_control_characters],
    )
    dpo_email = EmailField(
        "Data protection officer’s email address",
        widget=GovTextInput(),
        validators=[max_length("Data protection officer’s email address", 254)],
    )
    dpo_address = TextAreaField(
        "Data protection officer’s postal address (if different)",
        widget=GovTextArea(),
        validators=[max_length("Data protection officer’s postal address", 1000)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
