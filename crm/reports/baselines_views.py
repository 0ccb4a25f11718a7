"""Population baselines: what is imported, importing a Census table, and the mapping of its categories.
Admins only: the baselines are reference data for every report."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.consultations.monitoring import BY_CODE
from crm.core import args
from crm.core.text import plural
from crm.core.transaction import discard
from crm.extensions import db
from crm.reports import queries, service
from crm.reports.forms import AddCategoryForm, BaselineUploadForm, category_codes, mapping_form
from crm.reports.models import EXCLUDED, CensusTable

bp = Blueprint("baselines", __name__, url_prefix="/staff/reports/baselines")


def _index_page(form, problems=()):
    return render_template(
        "reports/baselines.html",
        form=form,
        imported=queries.imported_tables(),
        illustrative=queries.any_illustrative(),
        tables=service.census_tables(),
        problems=list(problems),
    )


@bp.route("", methods=["GET", "POST"])
@role_required(roles.ADMIN)
@args.takes_uploads
def index():
    form = BaselineUploadForm()
    if not form.validate_on_submit():
        return _index_page(form)
    upload = form.file.data
    content = upload.read() if upload else b""
    if not content:
        form.file.errors.append("Select a CSV file of a Census 2021 table")
    elif len(content) > current_app.config["IMPORT_MAX_BYTES"]:
        form.file.errors.append("The file must be smaller than 10 MB. Import fewer areas at a time")
    else:
        try:
            imported = service.import_baseline(
                current_user,
                upload.filename,
                content,
                illustrative=form.illustrative.data,
                skip_other_areas=form.skip_other_areas.data,
            )
        except service.BaselineRejected as error:
            discard()
            form.file.errors.append(str(error))
            return _index_page(form, error.problems)
        record = imported.record
        skipped = (
            f" Left out {imported.skipped_areas:,} areas outside the region."
            if imported.skipped_areas
            else ""
        )
        flash(
            f"Imported {record.table.code} ({record.table.title}) from {record.source_filename}.{skipped}",
            "success",
        )
        return redirect(url_for("baselines.index"))
    return _index_page(form)


@bp.get("/mapping")
@role_required(roles.ADMIN)
def mapping():
    return render_template(
        "reports/baseline-mapping.html", tables=service.census_tables(), excluded=EXCLUDED, questions=BY_CODE
    )


def _table(table_id: int) -> CensusTable:
    return db.get_or_404(CensusTable, table_id)


def _edit_page(table, form, add_form):
    return render_template(
        "reports/baseline-mapping-edit.html", table=table, form=form, add_form=add_form, questions=BY_CODE
    )


@bp.route("/mapping/<int:table_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def edit_mapping(table_id: int):
    table = _table(table_id)
    form = mapping_form(table)
    if form.validate_on_submit():
        try:
            changed = service.set_mapping(current_user, table, category_codes(form, table))
        except service.MappingError:
            discard()
            abort(400)  # only a tampered form names a code the select does not offer
        flash(
            f"Mapping of {table.code} saved: {plural(changed, 'category', 'categories')} changed.",
            "success",
        )
        return redirect(url_for("baselines.mapping"))
    return _edit_page(table, form, AddCategoryForm.for_table(table))


@bp.post("/mapping/<int:table_id>/categories")
@role_required(roles.ADMIN)
def add_category(table_id: int):
    table = _table(table_id)
    add_form = AddCategoryForm.for_table(table)
    if add_form.validate_on_submit():
        try:
            category = service.add_category(
                current_user, table, add_form.label.data, add_form.monitoring_code.data
            )
        except service.MappingError as error:
            discard()
            for name, message in error.errors.items():
                add_form[name].errors = [*add_form[name].errors, message]
        else:
            flash(f"Added ‘{category.label}’ to {table.code}. Import the file again to use it.", "success")
            return redirect(url_for("baselines.edit_mapping", table_id=table.id))
    return _edit_page(table, mapping_form(table), add_form)
