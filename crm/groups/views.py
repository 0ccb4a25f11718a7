from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import any_staff, role_required
from crm.core import args, audit, jobs, spreadsheets
from crm.core.args import search_text
from crm.core.contributions import contributions
from crm.core.models import Area, Characteristic
from crm.core.reference import active_choices
from crm.core.rules import show_refusal
from crm.core.text import plural, sentence
from crm.extensions import db, limiter
from crm.forms import ConfirmForm
from crm.groups import jobs as group_jobs
from crm.groups import queries, service, transfer
from crm.groups.forms import (
    REGISTRATION_CONSENT,
    ContactForm,
    GroupForm,
    ImportForm,
    MergeForm,
    RegistrationForm,
)
from crm.groups.models import (
    ACCESS_NEEDS,
    CONSENT_METHODS,
    GROUP_KINDS,
    GROUP_STATUSES,
    CommunityGroup,
    Contact,
)
from crm.groups.service import ContactValues, GroupError

bp = Blueprint("groups", __name__)
OFFICERS = (roles.ADMIN, roles.ENGAGEMENT_OFFICER)


def _group(group_id: int) -> CommunityGroup:
    group = queries.group_with_links(group_id)
    if group is None:
        abort(404)
    return group


def _sees_personal_data() -> bool:
    return current_user.has_role(*roles.SEES_PERSONAL_DATA)


@bp.get("/staff/groups")
@any_staff
def group_list():
    filters = queries.GroupFilters.from_args(request.args)
    pagination = queries.group_page(filters, args.page(request.args))
    return render_template(
        "groups/list.html",
        filters=filters,
        pagination=pagination,
        characteristics=active_choices(Characteristic),
        areas=active_choices(Area),
        kinds=GROUP_KINDS,
        statuses=GROUP_STATUSES,
        unverified=queries.unverified_count(),
        can_edit=current_user.has_role(*OFFICERS),
        sees_personal_data=_sees_personal_data(),
    )


@bp.route("/staff/groups/new", methods=["GET", "POST"])
@role_required(*OFFICERS)
def new_group():
    form = GroupForm()
    similar = []
    if form.validate_on_submit():
        values = form.values()
        similar = service.similar_groups(values.name)
        if similar and not form.create_anyway.data:
            form.name.errors.append("A group with a very similar name is already on the register")
        else:
            group = service.create_group(current_user, values)
            flash(sentence(f"Added {group.name}"), "success")
            return redirect(url_for("groups.group_page", group_id=group.id))
    return render_template("groups/form.html", form=form, group=None, similar=similar)


@bp.get("/staff/groups/<int:group_id>")
@any_staff
def group_page(group_id: int):
    group = _group(group_id)
    if _sees_personal_data():
        service.record_group_contacts_viewed(current_user, group)
    return render_template(
        "groups/show.html",
        group=group,
        access_need_labels=[ACCESS_NEEDS.get(need, need) for need in group.access_needs],
        contact_count=queries.contact_count(group.id),
        sees_personal_data=_sees_personal_data(),
        can_edit=current_user.has_role(*OFFICERS),
        merged_into=db.session.get(CommunityGroup, group.merged_into_id) if group.merged_into_id else None,
        confirm=ConfirmForm(),
        **contributions("group-page", group),
    )


@bp.route("/staff/groups/<int:group_id>/edit", methods=["GET", "POST"])
@role_required(*OFFICERS)
def edit_group(group_id: int):
    group = _group(group_id)
    if group.merged_into_id is not None:  # its record stays as it was when merged
        flash(service.MERGED_NOT_EDITABLE, "error")
        return redirect(url_for("groups.group_page", group_id=group.id))
    form = GroupForm(obj=group, group=group)
    similar = []
    if form.validate_on_submit():
        values = form.values()
        if values.name != group.name:
            similar = service.similar_groups(values.name, exclude_id=group.id)
        if similar and not form.create_anyway.data:
            form.name.errors.append("A group with a very similar name is already on the register")
        else:
            changed = service.update_group(current_user, group, values)
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("groups.group_page", group_id=group.id))
    return render_template("groups/form.html", form=form, group=group, similar=similar)


def _confirmed_action(group_id: int, action, message: str):
    group = _group(group_id)
    if ConfirmForm().validate_on_submit():
        action(current_user, group)
        flash(message.format(name=group.name), "success")
    return redirect(url_for("groups.group_page", group_id=group.id))


@bp.post("/staff/groups/<int:group_id>/archive")
@role_required(*OFFICERS)
def archive_group(group_id: int):
    return _confirmed_action(
        group_id,
        lambda actor, g: service.set_archived(actor, g, True),
        "{name} is archived. It keeps its history.",
    )


@bp.post("/staff/groups/<int:group_id>/restore")
@role_required(*OFFICERS)
def restore_group(group_id: int):
    return _confirmed_action(
        group_id, lambda actor, g: service.set_archived(actor, g, False), "{name} is restored."
    )


@bp.post("/staff/groups/<int:group_id>/verify")
@role_required(*OFFICERS)
def verify_group(group_id: int):
    return _confirmed_action(group_id, service.verify_group, "{name} is verified.")


@bp.route("/staff/groups/<int:group_id>/merge", methods=["GET", "POST"])
@role_required(*OFFICERS)
def merge_group(group_id: int):
    survivor = _group(group_id)
    form = MergeForm()
    candidates = service.similar_groups(survivor.name, exclude_id=survivor.id, limit=20)
    chosen = args.one_id(request.args, "duplicate") or args.one_id(request.form, "duplicate_id")
    if chosen and chosen not in {c.id for c in candidates}:
        extra = db.session.get(CommunityGroup, chosen)
        if extra is not None:
            candidates.append(extra)
    form.duplicate_id.choices = [(0, "Select a group")] + [
        (c.id, f"{c.name} (id {c.id})") for c in candidates
    ]
    if request.method == "GET" and chosen:
        form.duplicate_id.data = chosen
    if form.validate_on_submit():
        duplicate = db.session.get(CommunityGroup, form.duplicate_id.data)
        if duplicate is None:
            form.duplicate_id.errors.append("Select the group to merge into this one")
        else:
            try:
                service.merge_groups(current_user, survivor, duplicate)
            except GroupError as error:
                show_refusal(error, form)
            else:
                flash(sentence(f"Merged {duplicate.name} into {survivor.name}"), "success")
                return redirect(url_for("groups.group_page", group_id=survivor.id))
    return render_template("groups/merge.html", form=form, group=survivor)


@bp.route("/staff/groups/<int:group_id>/contacts/new", methods=["GET", "POST"])
@role_required(*OFFICERS)
def new_contact(group_id: int):
    group = _group(group_id)
    form = ContactForm()
    if form.validate_on_submit():
        try:
            service.add_contact(current_user, group, form.values())
        except GroupError as error:
            show_refusal(error, form)
        else:
            flash("Contact added.", "success")
            return redirect(url_for("groups.group_page", group_id=group.id))
    return render_template("groups/contact-form.html", form=form, group=group, contact=None)


@bp.get("/staff/contacts/<int:contact_id>")
@role_required(*roles.SEES_PERSONAL_DATA)
def contact_page(contact_id: int):
    """A contact's details and history. Invitations, seats on bodies, their meetings and recommendations come
    from the areas above this one (the "contact-page" contributions)."""
    contact = db.get_or_404(Contact, contact_id)
    service.record_contact_viewed(current_user, contact)
    return render_template(
        "groups/contact.html",
        contact=contact,
        consent_method=CONSENT_METHODS.get(contact.consent_method, contact.consent_method),
        can_edit=current_user.has_role(*OFFICERS),
        **contributions("contact-page", contact),
    )


@bp.route("/staff/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@role_required(*OFFICERS)
def edit_contact(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    form = ContactForm(obj=contact)
    if form.validate_on_submit():
        try:
            changed = service.update_contact(current_user, contact, form.values())
        except GroupError as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(_contact_home(contact))
    service.record_contact_viewed(current_user, contact)
    return render_template(
        "groups/contact-form.html", form=form, group=contact.group, contact=contact, confirm=ConfirmForm()
    )


def _contact_home(contact: Contact) -> str:
    if contact.group_id:
        return url_for("groups.group_page", group_id=contact.group_id)
    return url_for("groups.contact_list")


@bp.post("/staff/contacts/<int:contact_id>/archive")
@role_required(*OFFICERS)
def archive_contact(contact_id: int):
    contact = db.get_or_404(Contact, contact_id)
    if ConfirmForm().validate_on_submit():
        service.set_contact_archived(current_user, contact, True)
        flash(f"{contact.name.rstrip('.')} is archived.", "success")
    return redirect(_contact_home(contact))


@bp.get("/staff/contacts")
@role_required(*roles.SEES_PERSONAL_DATA)
def contact_list():
    q = search_text(request.args)
    service.record_contacts_listed(current_user, ["q"] if q else [])
    pagination = queries.contact_page(q, args.page(request.args))
    return render_template("groups/contacts.html", pagination=pagination, q=q)


@bp.get("/staff/groups/mailing-list")
@role_required(*roles.SEES_PERSONAL_DATA)
def mailing_list():
    filters = queries.GroupFilters.from_args(request.args)
    service.record_contacts_listed(current_user, filters.used, "contacts.mailing_list_viewed")
    return render_template("groups/mailing-list.html", result=queries.mailing_list(filters), filters=filters)


@bp.get("/staff/groups/mailing-list.csv")
@role_required(*roles.SEES_PERSONAL_DATA)
def mailing_list_csv():
    filters = queries.GroupFilters.from_args(request.args)
    # On record before the file is sent: the rows are read as it streams, after this request commits.
    audit.record(current_user, "groups.mailing_list_exported", None, entity_type="contact")
    return spreadsheets.download("mailing-list.csv", transfer.mailing_list_rows(filters))


@bp.get("/staff/groups/export.<any(csv,xlsx):file_format>")
@any_staff
def export_groups(file_format: str):
    """The filtered list as the importable spreadsheet. Contacts only for officers and admins (rule 1).
    A big one is made by a job, with a progress page and a download at the end."""
    filters = queries.GroupFilters.from_args(request.args)
    with_contacts = _sees_personal_data()
    groups = queries.group_count(filters)
    if groups > jobs.threshold():
        job, created = group_jobs.start_export(current_user, request.args, file_format, with_contacts, groups)
        return jobs.follow(job, created)
    # On record before the file is sent: the rows are read as it streams, after this request commits.
    audit.record(
        current_user,
        "groups.exported",
        None,
        ["contacts"] if with_contacts else [],
        entity_type="community_group",
    )
    return spreadsheets.download(
        f"groups-{date.today().isoformat()}.{file_format}",
        transfer.export_rows(filters, with_contacts),
        sheet_title="Groups",
    )


@bp.get("/staff/groups/import-template.csv")
@any_staff
def import_template():
    return spreadsheets.download("groups-template.csv", [transfer.export_columns(with_contacts=True)])


@bp.route("/staff/groups/import", methods=["GET", "POST"])
@role_required(*OFFICERS)
@args.takes_uploads
def import_groups():
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read() if upload else b""
        if not content:
            form.file.errors.append("Select a spreadsheet file: an Excel workbook (.xlsx) or CSV")
        elif len(content) > current_app.config["IMPORT_MAX_BYTES"]:
            form.file.errors.append("The file must be smaller than 10 MB. Split it into smaller files")
        else:
            try:
                batch = transfer.stage_upload(current_user, upload.filename, content)
            except transfer.ImportFileError as error:
                form.file.errors.append(str(error))
            else:
                return redirect(url_for("groups.import_preview", token=batch.token))
    return render_template("groups/import.html", form=form, job_threshold=jobs.threshold())


@bp.route("/staff/groups/import/<token:token>", methods=["GET", "POST"])
@role_required(*OFFICERS)
def import_preview(token: str):
    """The dry run, from what was found when the file was uploaded (it is not read again): what the file
    would do, or every row's problems. Confirming applies all rows or none."""
    try:
        batch = transfer.upload_for(current_user, token)
    except transfer.UploadUnavailable as error:
        return render_template("groups/import-unavailable.html", message=str(error)), error.status
    summary = transfer.summary_of(batch)
    confirmed = request.method == "POST" and ConfirmForm().validate_on_submit() and summary.ok
    file_error = None
    if confirmed and batch.applied_at is not None:
        flash("This file was already imported.", "info")
        return redirect(url_for("groups.group_list"))
    if confirmed and summary.row_count > jobs.threshold():
        return jobs.follow(*group_jobs.start_import(current_user, batch, summary.row_count))
    if confirmed:
        try:
            counts = transfer.confirm_import(current_user, batch)
        except transfer.ImportFileError as error:
            file_error = f"The register has changed since this file was checked. {error}"
        else:
            flash(
                f"Imported: {plural(counts['created'], 'group')} added, {counts['updated']:,} updated, "
                f"{plural(counts['contacts_added'], 'contact')} added.",
                "success",
            )
            return redirect(url_for("groups.group_list"))
    return render_template(
        "groups/import-preview.html", batch=batch, plan=summary, file_error=file_error, confirm=ConfirmForm()
    )


@bp.route("/groups/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register():
    form = RegistrationForm()
    if form.validate_on_submit():
        if form.nickname.data:  # the honeypot: say thank you, keep nothing
            return redirect(url_for("groups.registered"))
        values = service.GroupValues(
            name=form.name.data.strip(),
            kind="informal",
            description=form.description.data.strip(),
            languages=(form.languages.data or "").strip(),
            access_needs=form.access_needs.data or [],
            website=(form.website.data or "").strip(),
            lawful_basis="consent",
            area_ids=form.areas.data,
            characteristic_ids=form.characteristics.data or [],
        )
        contact = ContactValues(
            name=form.contact_name.data.strip(),
            role=(form.contact_role.data or "").strip(),
            email=form.contact_email.data.strip().lower(),
            phone=(form.contact_phone.data or "").strip(),
            consent_given=True,
            consent_date=date.today(),
            consent_method="online_form",
            consent_wording=REGISTRATION_CONSENT,
        )
        service.register_group(values, contact)
        return redirect(url_for("groups.registered"))
    return render_template("groups/register.html", form=form)


@bp.get("/groups/register/done")
def registered():
    return render_template("groups/registered.html")
