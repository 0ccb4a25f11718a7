"""The admin's reference lists: characteristics, areas, themes and barriers."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.core import reference
from crm.core.forms import ReferenceEntryForm
from crm.core.rules import show_refusal
from crm.extensions import db
from crm.forms import ConfirmForm

bp = Blueprint("reference", __name__)
KIND = f"<any({','.join(repr(slug) for slug in reference.KINDS)}):kind_slug>"  # quoted: slugs hold "-"


def _kind(slug: str) -> reference.ReferenceKind:
    kind = reference.KINDS.get(slug)
    if kind is None:
        abort(404)
    return kind


def _entry(kind, entry_id: int):
    return db.get_or_404(kind.model, entry_id)


@bp.get(f"/staff/admin/reference/{KIND}")
@role_required(roles.ADMIN)
def reference_list(kind_slug: str):
    kind = _kind(kind_slug)
    return render_template("auth/reference-list.html", kind=kind, entries=reference.list_entries(kind))


def _flags(kind, form) -> dict:
    if kind.model.__name__ == "Characteristic":
        return {"is_special_category": form.is_special_category.data}
    if kind.model.__name__ == "CoproductionPrinciple":
        return {"sort_order": form.sort_order.data}
    return {}


@bp.route(f"/staff/admin/reference/{KIND}/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def reference_new(kind_slug: str):
    kind = _kind(kind_slug)
    form = ReferenceEntryForm.for_kind(kind)
    if form.validate_on_submit():
        try:
            reference.add_entry(
                kind, current_user, form.name.data, form.description.data, **_flags(kind, form)
            )
        except reference.ReferenceDataError as error:
            show_refusal(error, form)
        else:
            flash(f"Added ‘{form.name.data.strip()}’.", "success")
            return redirect(url_for("reference.reference_list", kind_slug=kind.slug))
    return render_template("auth/reference-form.html", kind=kind, form=form, entry=None)


@bp.route(f"/staff/admin/reference/{KIND}/<int:entry_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def reference_edit(kind_slug: str, entry_id: int):
    kind = _kind(kind_slug)
    entry = _entry(kind, entry_id)
    form = ReferenceEntryForm.for_kind(kind, obj=entry)
    if form.validate_on_submit():
        try:
            reference.update_entry(
                kind, current_user, entry, form.name.data, form.description.data, **_flags(kind, form)
            )
        except reference.ReferenceDataError as error:
            show_refusal(error, form)
        else:
            flash("Changes saved.", "success")
            return redirect(url_for("reference.reference_list", kind_slug=kind.slug))
    return render_template(
        "auth/reference-form.html",
        kind=kind,
        form=form,
        entry=entry,
        confirm=ConfirmForm(),
        in_use=reference.usage_count(entry),
    )


@bp.post(f"/staff/admin/reference/{KIND}/<int:entry_id>/retire")
@role_required(roles.ADMIN)
def reference_retire(kind_slug: str, entry_id: int):
    return _set_retired(kind_slug, entry_id, retired=True)


@bp.post(f"/staff/admin/reference/{KIND}/<int:entry_id>/reinstate")
@role_required(roles.ADMIN)
def reference_reinstate(kind_slug: str, entry_id: int):
    return _set_retired(kind_slug, entry_id, retired=False)


def _set_retired(kind_slug: str, entry_id: int, retired: bool):
    kind = _kind(kind_slug)
    entry = _entry(kind, entry_id)
    if ConfirmForm().validate_on_submit():
        reference.set_retired(kind, current_user, entry, retired)
        flash(f"‘{entry.name}’ {'is retired' if retired else 'is back in use'}.", "success")
    return redirect(url_for("reference.reference_list", kind_slug=kind.slug))


@bp.post(f"/staff/admin/reference/{KIND}/<int:entry_id>/delete")
@role_required(roles.ADMIN)
def reference_delete(kind_slug: str, entry_id: int):
    kind = _kind(kind_slug)
    entry = _entry(kind, entry_id)
    if ConfirmForm().validate_on_submit():
        name = entry.name
        try:
            reference.delete_entry(kind, current_user, entry)
        except reference.ReferenceDataError as error:
            show_refusal(error)
            return redirect(url_for("reference.reference_edit", kind_slug=kind.slug, entry_id=entry.id))
        flash(f"Deleted ‘{name}’.", "success")
    return redirect(url_for("reference.reference_list", kind_slug=kind.slug))
