from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from crm.core.args import whole_number
from crm.forms import max_length, no_control_characters
from crm.policies.models import POLICY_KINDS, POLICY_STATUSES


class PolicyForm(FlaskForm):
    reference = StringField(
        "Reference",
        widget=GovTextInput(),
        description="Letters, numbers and hyphens, like WMCA-POL-001",
        validators=[InputRequired("Enter a reference"), max_length("Reference", 30), no_control_characters],
    )
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a title"), max_length("Title", 200), no_control_characters],
    )
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in POLICY_KINDS.items()],
        validators=[InputRequired("Select what kind of policy this is")],
        validate_choice=False,
    )
    delivery_area_id = SelectField(
        "Delivery area",
        widget=GovSelect(),
        description="The key delivery area it serves, such as Transport, Skills or Housing",
        validate_choice=False,
    )
    is_key = BooleanField(
        "This is a key strategy or policy",
        widget=GovCheckboxInput(),
        description="Every key strategy and policy needs an equality impact assessment",
    )
    owner_id = SelectField(
        "Owner",
        widget=GovSelect(),
        description="The policy lead responsible for it",
        validators=[InputRequired("Select a policy lead as the owner")],
        validate_choice=False,
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[SelectChoice(value, label) for value, label in POLICY_STATUSES.items()],
        validators=[InputRequired("Select a status")],
        validate_choice=False,
    )
    summary = TextAreaField("Summary", widget=GovTextArea(), validators=[max_length("Summary", 5000)])
    submit = SubmitField("Save policy", widget=GovSubmitInput())

    def set_delivery_areas(self, areas: list[tuple[int, str]]) -> None:
        self.delivery_area_id.choices = [SelectChoice("", "Not given")] + [
            SelectChoice(str(id_), name) for id_, name in areas
        ]

    def set_owners(self, leads) -> None:
        self.owner_id.choices = [SelectChoice("", "Choose a policy lead")] + [
            SelectChoice(str(lead.id), lead.name) for lead in leads
        ]

    def values(self) -> dict:
        owner = self.owner_id.data
        return {
            "reference": self.reference.data,
            "title": self.title.data,
            "kind": self.kind.data,
            # Anything chosen that is not an id becomes 0, which no area has, so the service refuses it.
            "delivery_area_id": (whole_number(str(area)) or 0)
            if (area := self.delivery_area_id.data)
            else None,
            "is_key": bool(self.is_key.data),
            "owner_id": whole_number(str(owner)) if owner else None,
            "status": self.status.data,
            "summary": self.summary.data or "",
        }
