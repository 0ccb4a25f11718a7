from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Optional, ValidationError

from crm.forms import GovDateField, choices, max_length, no_control_characters, text_area
from crm.reports.models import MEASURE_KINDS, CensusTable
from crm.reports.service import mapping_choices


class BaselineUploadForm(FlaskForm):
    file = FileField(
        "Census 2021 table (CSV)",
        widget=GovFileInput(),
        description="The CSV as ONS (bulk download) or Nomis give it, for one table such as TS021.",
    )
    illustrative = BooleanField(
        "These are illustrative figures, not published by ONS (they will be labelled so)",
        widget=GovCheckboxInput(),
    )
    skip_other_areas = BooleanField(
        "Leave out areas that are not in the region (for a whole-country file)",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Import the table", widget=GovSubmitInput())


def mapping_form(table: CensusTable, **kwargs) -> FlaskForm:
    """A select per census category of `table`, named by the category's id, set to its current code."""

    class MappingForm(FlaskForm):
        submit = SubmitField("Save the mapping", widget=GovSubmitInput())

    options = choices(dict(mapping_choices(table)))
    for category in table.categories:
        setattr(
            MappingForm,
            f"category_{category.id}",
            SelectField(
                category.label,
                choices=options,
                default=category.monitoring_code,
                widget=GovSelect(),
                validators=[InputRequired("Choose what the category counts as")],
            ),
        )
    return MappingForm(**kwargs)


def category_codes(form, table: CensusTable) -> dict[int, str]:
    return {category.id: form[f"category_{category.id}"].data for category in table.categories}


class AddCategoryForm(FlaskForm):
    label = StringField(
        "Census category",
        widget=GovTextInput(),
        description="As the file names it, without the variable: for example ‘White: Roma’.",
        validators=[
            InputRequired("Enter the census category, as the file names it"),
            max_length("Census category", 200),
            no_control_characters,
        ],
    )
    monitoring_code = SelectField(
        "Counts as", widget=GovSelect(), validators=[InputRequired("Choose what the category counts as")]
    )
    add = SubmitField("Add the category", widget=GovSubmitInput())

    @classmethod
    def for_table(cls, table: CensusTable, **kwargs) -> "AddCategoryForm":
        form = cls(**kwargs)
        form.monitoring_code.choices = choices(dict(mapping_choices(table)))
        return form


# ---- Diversity objectives


def _number(form, field):
    """Baselines and targets: a number such as 12 or 12.5, a percentage without its sign."""
    text = (field.raw_data[0] if field.raw_data else "").strip().rstrip("%").replace(",", "")
    try:
        field.data = float(text)
    except ValueError:
        field.data = None
        raise ValidationError(f"Enter the {field.label.text.lower()} as a number, like 12 or 12.5") from None


class ObjectiveForm(FlaskForm):
    title = StringField(
        "Objective",
        widget=GovTextInput(),
        description="For example, Hear from disabled residents on every transport scheme",
        validators=[
            InputRequired("Enter the objective"),
            max_length("Objective", 200),
            no_control_characters,
        ],
    )
    description = text_area("Why it matters", limit=5000)
    delivery_area_id = SelectField(
        "Delivery area", widget=GovSelect(), coerce=int, validators=[InputRequired("Select a delivery area")]
    )
    owner_id = SelectField("Owner", widget=GovSelect(), coerce=int, validators=[Optional()])
    submit = SubmitField("Save objective", widget=GovSubmitInput())

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "description": self.description.data,
            "delivery_area_id": self.delivery_area_id.data or None,
            "owner_id": self.owner_id.data or None,
        }


class MeasureForm(FlaskForm):
    kind = RadioField(
        "What it counts",
        widget=GovRadioInput(),
        choices=choices(MEASURE_KINDS),
        validators=[InputRequired("Select what the measure counts")],
    )
    category = SelectField(
        "Category (for a share of respondents)",
        widget=GovSelect(),
        validate_choice=False,
        description="Or choose a priority cohort below",
    )
    cohort_id = SelectField("Priority cohort (for a share of respondents)", widget=GovSelect(), coerce=int)
    characteristic_id = SelectField(
        "Characteristic (for reach at events or groups engaged)", widget=GovSelect(), coerce=int
    )
    baseline = StringField(
        "Baseline",
        widget=GovTextInput(),
        validators=[_number],
        description="Where it stood; a percentage for shares",
    )
    target = StringField(
        "Target", widget=GovTextInput(), validators=[_number], description="Where it should get to"
    )
    period_start = GovDateField(
        "Start date",
        validators=[InputRequired("Enter the date the period starts")],
        description="For example, 1 4 2026",
    )
    period_end = GovDateField(
        "End date",
        validators=[InputRequired("Enter the date the period ends")],
        description="For example, 31 3 2027",
    )
    owner_id = SelectField("Owner", widget=GovSelect(), coerce=int, validators=[Optional()])
    submit = SubmitField("Save measure", widget=GovSubmitInput())

    def values(self) -> dict:
        return {
            "kind": self.kind.data,
            "category": self.category.data or "",
            "cohort_id": self.cohort_id.data or None,
            "characteristic_id": self.characteristic_id.data or None,
            "baseline": self.baseline.data if isinstance(self.baseline.data, float) else None,
            "target": self.target.data if isinstance(self.target.data, float) else None,
            "period_start": self.period_start.data,
            "period_end": self.period_end.data,
            "owner_id": self.owner_id.data or None,
        }


class CohortForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Groups disproportionately affected by COVID-19",
        validators=[InputRequired("Enter the cohort's name"), max_length("Name", 200), no_control_characters],
    )
    description = text_area("Who it is", limit=5000)
    categories = SelectMultipleField("Categories", widget=GovCheckboxesInput())
    submit = SubmitField("Save cohort", widget=GovSubmitInput())

    def values(self) -> dict:
        return {
            "name": self.name.data,
            "description": self.description.data,
            "categories": self.categories.data,
        }
