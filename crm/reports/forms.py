from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired

from crm.forms import choices, max_length, no_control_characters
from crm.reports.models import CensusTable
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
