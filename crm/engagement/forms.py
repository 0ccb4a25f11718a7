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

from crm.core.time import parse_time_of_day, uk_day_and_time, utc_from_uk
from crm.engagement.models import (
    COPRODUCTION_LEVELS,
    EVENT_KINDS,
    PRINCIPLE_RATINGS,
    PROVISIONS,
    PrincipleRating,
)
from crm.engagement.service import NOTE_LIMIT, PrincipleValue
from crm.forms import (
    ADD_POLICY_HINT,
    GovDateField,
    choices,
    linked_field,
    max_length,
    no_control_characters,
    picker_field,
    text_area,
)


def _valid_time(form, field):
    if not field.data or parse_time_of_day(field.data) is None:
        raise ValidationError(f"Enter {field.label.text.lower()}, like 9am, 5:30pm or 17:30")


class EventForm(FlaskForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a title"), max_length("Title", 200), no_control_characters],
    )
    kind = RadioField(
        "Kind of event",
        widget=GovRadioInput(),
        choices=choices(EVENT_KINDS),
        validators=[InputRequired("Select the kind of event")],
    )
    programme_id = SelectField(
        "Programme or series",
        widget=GovSelect(),
        coerce=int,
        validators=[Optional()],
        description="If the event is one of a series reported as a whole, such as Skills Street",
    )
    starts_on = GovDateField(
        "Date",
        validators=[InputRequired("Enter the date of the event")],
        description="For example, 27 3 2026",
    )
    starts_time = StringField("Start time", widget=GovTextInput(), validators=[_valid_time])
    ends_on = GovDateField(
        "End date", validators=[Optional()], description="Leave empty if it ends the same day"
    )
    ends_time = StringField("End time", widget=GovTextInput(), validators=[_valid_time])
    area_id = SelectField("Area", widget=GovSelect(), coerce=int, validators=[Optional()])
    venue = StringField(
        "Venue", widget=GovTextInput(), validators=[max_length("Venue", 200), no_control_characters]
    )
    group_names = TextAreaField(
        "Groups involved",
        widget=GovTextArea(),
        description="One group name per line, as it is on the register",
        validators=[max_length("Groups involved", 20000)],
    )
    officer_ids = SelectMultipleField("Officers", widget=GovCheckboxesInput(), coerce=int)
    consultation_name = picker_field("Linked consultation (optional)", "The consultation’s title")
    policy_ids = linked_field("Linked policies")
    add_policy = picker_field("Add a policy (optional)", ADD_POLICY_HINT)
    attendance = IntegerField(
        "Attendance",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(0, 100_000, "Attendance must be between 0 and 100,000")],
        description="How many people took part",
    )
    coproduction_level = RadioField(
        "Co-production level",
        widget=GovRadioInput(),
        choices=choices(COPRODUCTION_LEVELS),
        default="consult",
        validators=[InputRequired("Select the co-production level")],
    )
    provisions = SelectMultipleField(
        "Accessibility provisions made", widget=GovCheckboxesInput(), choices=choices(PROVISIONS)
    )
    # Reach estimates are reach-<id> inputs drawn by the template; this field only carries their error.
    reach = HiddenField("Estimated reach by characteristic")
    notes = TextAreaField("Notes", widget=GovTextArea(), validators=[max_length("Notes", 20000)])
    submit = SubmitField("Save event", widget=GovSubmitInput())

    def fill_times(self, event) -> None:
        self.starts_on.data, self.starts_time.data = uk_day_and_time(event.starts_at)
        ends_on, self.ends_time.data = uk_day_and_time(event.ends_at)
        self.ends_on.data = None if ends_on == self.starts_on.data else ends_on
        self.group_names.data = "\n".join(group.name for group in event.groups)
        self.officer_ids.data = [officer.id for officer in event.officers]
        self.policy_ids.data = [policy.id for policy in event.policies]
        self.area_id.data = event.area_id or 0
        self.consultation_name.data = event.consultation.title if event.consultation else ""
        self.programme_id.data = event.programme_id or 0

    def times(self):
        starts = utc_from_uk(self.starts_on.data, parse_time_of_day(self.starts_time.data))
        ends = utc_from_uk(self.ends_on.data or self.starts_on.data, parse_time_of_day(self.ends_time.data))
        return starts, ends


class ProgrammeForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Skills Street",
        validators=[
            InputRequired("Enter the programme's name"),
            max_length("Name", 200),
            no_control_characters,
        ],
    )
    description = text_area("What it is for", limit=5000)
    delivery_area_id = SelectField("Delivery area", widget=GovSelect(), coerce=int, validators=[Optional()])
    # Optional: programmes added before it was asked have none, and "Not recorded" says so.
    coproduction_level = RadioField(
        "Co-production level (optional)",
        widget=GovRadioInput(),
        choices=[*choices(COPRODUCTION_LEVELS), SelectChoice("", "Not recorded")],
        default="",
        validators=[Optional()],
        description="How far the programme as a whole shares power with the people it is for",
    )
    submit = SubmitField("Save programme", widget=GovSubmitInput())

    def values(self) -> dict:
        return {
            "name": self.name.data or "",
            "description": self.description.data or "",
            "delivery_area_id": self.delivery_area_id.data or None,
            "coproduction_level": self.coproduction_level.data or "",
        }


def principles_form(principles, assessed: dict) -> FlaskForm:
    """One radio group (met, partly met, not met, not assessed) and one note per principle in use, named
    rating_<id> and note_<id>, filled from `assessed` ({principle id: assessment row}) until posted. The
    principles are an admin-edited list, so the form class is made for the list as it is today."""

    class PrinciplesForm(FlaskForm):
        submit = SubmitField("Save assessment", widget=GovSubmitInput())

        def values(self) -> list[PrincipleValue]:
            return [
                PrincipleValue(
                    p.id, self[f"rating_{p.id}"].data or "", (self[f"note_{p.id}"].data or "").strip()
                )
                for p in principles
            ]

    data = {}
    for principle in principles:
        setattr(
            PrinciplesForm,
            f"rating_{principle.id}",
            RadioField(
                principle.name,
                widget=GovRadioInput(),
                choices=choices(PRINCIPLE_RATINGS),
                validators=[InputRequired(f"Select how far ‘{principle.name}’ was met, or not assessed")],
                description=principle.description,
            ),
        )
        setattr(
            PrinciplesForm,
            f"note_{principle.id}",
            TextAreaField(
                f"Note on ‘{principle.name}’ (optional)",
                widget=GovTextArea(),
                validators=[max_length("The note", NOTE_LIMIT), no_control_characters],
            ),
        )
        row = assessed.get(principle.id)
        data[f"rating_{principle.id}"] = row.rating if row else PrincipleRating.NOT_ASSESSED.value
        data[f"note_{principle.id}"] = row.note if row else ""
    return PrinciplesForm(data=data)
