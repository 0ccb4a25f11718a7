"""The forms for recording how feedback was used on a policy and for outreach tasks; crm.evidence.service
holds the rules."""

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from crm.core.args import whole_number
from crm.evidence.service import OutreachValues
from crm.forms import FeedbackIds, GovDateField, choices, picker_field, text_area
from crm.policies.models import INFLUENCE_USES


class InfluenceForm(FlaskForm):
    feedback = FeedbackIds("Feedback")
    use = RadioField(
        "How was this feedback used?",
        widget=GovRadioInput(),
        choices=choices(INFLUENCE_USES),
        validators=[InputRequired("Select how the feedback was used")],
        validate_choice=False,
    )
    note = text_area(
        "What changed, or why nothing changed",
        "Required when the feedback was considered with no change. Shown on the policy page.",
        5000,
    )
    submit = SubmitField("Record decision", widget=GovSubmitInput())


class AddEvidenceForm(FlaskForm):
    feedback = FeedbackIds("Feedback")
    submit = SubmitField("Add to this policy’s evidence", widget=GovSubmitInput())


class OutreachForm(FlaskForm):
    """A new outreach task. Choices hold ids as text; values() turns them into ids (or 0, which names
    nothing, for anything else) and the service checks each one."""

    characteristic_id = SelectField(
        "Characteristic to hear from",
        widget=GovSelect(),
        description="One with no evidence or weak evidence on this policy: a gap.",
        validate_choice=False,
    )
    area_id = SelectField(
        "Area (optional)",
        widget=GovSelect(),
        description="Where to reach people. Suggested groups are those serving it.",
        validate_choice=False,
    )
    due_on = GovDateField("Due date", description="For example, 27 3 2027", validators=[Optional()])
    owner_id = SelectField(
        "Owner", widget=GovSelect(), description="Who will arrange the outreach", validate_choice=False
    )
    notes = text_area("Notes (optional)", "Who to approach, what format works, anything agreed so far.", 5000)
    submit = SubmitField("Plan outreach", widget=GovSubmitInput())

    def set_choices(self, characteristics, areas, owners) -> None:
        self.characteristic_id.choices = [SelectChoice("", "Choose a characteristic")] + [
            SelectChoice(str(id_), label) for id_, label in characteristics
        ]
        self.area_id.choices = [SelectChoice("", "Anywhere in the region")] + [
            SelectChoice(str(id_), name) for id_, name in areas
        ]
        self.owner_id.choices = [SelectChoice("", "Choose an owner")] + [
            SelectChoice(str(id_), name) for id_, name in owners
        ]

    def values(self) -> OutreachValues:
        def chosen(field):
            return (whole_number(str(field.data)) or 0) if field.data else None

        return OutreachValues(
            characteristic_id=chosen(self.characteristic_id),
            area_id=chosen(self.area_id),
            due_on=self.due_on.data,
            owner_id=chosen(self.owner_id),
            notes=self.notes.data or "",
        )


class LinkEventForm(FlaskForm):
    event_name = picker_field("Event", "Its title and date, like Skills Street in Walsall, 27 March 2027")
    submit = SubmitField("Log this event against the task", widget=GovSubmitInput())
