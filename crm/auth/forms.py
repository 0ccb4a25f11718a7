from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired

from crm.auth import roles
from crm.auth.models import API_SCOPES
from crm.forms import GovDateField, max_length, no_control_characters

ROLE_CHOICES = [SelectChoice(value, label) for value, label in roles.LABELS.items()]


class SignInForm(FlaskForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[InputRequired("Enter your email address"), max_length("Email address", 254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), max_length("Password", 128)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class UserDetailsForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the person’s full name"),
            max_length("Full name", 120),
            no_control_characters,
        ],
    )
    role = RadioField(
        "Role",
        widget=GovRadioInput(),
        choices=ROLE_CHOICES,
        validators=[InputRequired("Select a role")],
        validate_choice=False,  # the service checks the role and says so next to the field
    )
    handles_data_requests = BooleanField(
        "Handles people’s data requests (withdrawals, copies, erasure)",
        widget=GovCheckboxInput(),
        description=(
            "Admins always can. Only engagement officers can be given this: requests show people’s "
            "contact details."
        ),
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class NewUserForm(UserDetailsForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter an email address"),
            max_length("Email address", 254),
            Email("Enter an email address in the correct format, like name@example.org"),
        ],
    )
    password = PasswordField(
        "Temporary password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Three or four unrelated words work well.",
        validators=[InputRequired("Enter a temporary password")],
    )
    submit = SubmitField("Create account", widget=GovSubmitInput())


class NewTokenForm(FlaskForm):
    name = StringField(
        "Token name",
        widget=GovTextInput(),
        description="What it is for, so you can tell your tokens apart, for example ‘Power BI report’",
        validators=[
            InputRequired("Enter a name for the token"),
            max_length("Token name", 80),
            no_control_characters,
        ],
    )
    scope = RadioField(
        "What the token may do",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in API_SCOPES.items()],
        default="read",
        validators=[InputRequired("Select what the token may do")],
        validate_choice=False,  # the service checks the scope and says so next to the field
    )
    expires_on = GovDateField(
        "Expiry date",
        description="At most a year from today. For example, 27 3 2027",
        validators=[InputRequired("Enter the date the token expires")],
    )
    submit = SubmitField("Create token", widget=GovSubmitInput())
