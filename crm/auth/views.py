from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from crm.auth import roles
from crm.auth.forms import NewUserForm, SignInForm, UserDetailsForm
from crm.auth.models import StaffUser
from crm.auth.permissions import any_staff, role_required
from crm.auth.queries import (
    AuditFilters,
    audit_actions,
    audit_actor_choices,
    audit_entity_types,
    audit_events,
    audit_export_rows,
    list_users,
)
from crm.auth.service import (
    AccountError,
    create_user,
    record_audit_export,
    record_sign_out,
    set_active,
    sign_in,
    update_user,
)
from crm.core import args, spreadsheets
from crm.core.rules import show_refusal
from crm.core.text import sentence
from crm.core.time import govuk_date_time
from crm.extensions import db, limiter
from crm.forms import ConfirmForm
from crm.security import safe_next, start_session

bp = Blueprint("auth", __name__, url_prefix="/staff")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["SIGN_IN_RATE_LIMIT"], methods=["POST"])
def sign_in_page():
    if current_user.is_authenticated:
        return redirect(url_for("reports.dashboard"))
    form = SignInForm()
    locked_message = None
    if form.validate_on_submit():
        result = sign_in(
            form.email.data,
            form.password.data,
            max_failures=current_app.config["SIGN_IN_MAX_FAILURES"],
            lockout=current_app.config["SIGN_IN_LOCKOUT"],
            client_address=request.remote_addr or "",
        )
        if result.ok:
            session.clear()  # a fresh session on sign-in stops session fixation
            login_user(result.user)
            session.permanent = True
            start_session(result.user)
            return redirect(safe_next(request.args.get("next")) or url_for("reports.dashboard"))
        if result.locked_until:
            locked_message = (
                "There have been too many failed attempts to sign in with this email address. "
                f"You can try again after {govuk_date_time(result.locked_until)}."
            )
            form.email.errors.append("Sign-in is locked for this email address for now")
        else:
            form.email.errors.append("Enter a correct email address and password")
            form.password.errors.append("Enter a correct email address and password")
    return render_template("auth/sign-in.html", form=form, locked_message=locked_message)


@bp.post("/sign-out")
@any_staff
def sign_out():
    record_sign_out(current_user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in_page"))


@bp.get("/admin")
@role_required(roles.ADMIN)
def admin_home():
    return render_template("auth/admin.html")


def _audit_filters() -> tuple[AuditFilters, list[str], list[str]]:
    actions, entity_types = audit_actions(), audit_entity_types()
    return AuditFilters.from_args(request.args, actions, entity_types), actions, entity_types


@bp.get("/admin/audit")
@role_required(roles.ADMIN)
def audit_log():
    filters, actions, entity_types = _audit_filters()
    return render_template(
        "auth/audit.html",
        filters=filters,
        pagination=audit_events(filters, args.page(request.args)),
        actions=actions,
        entity_types=entity_types,
        actors=audit_actor_choices(),
    )


@bp.get("/admin/audit/export.csv")
@role_required(roles.ADMIN)
def export_audit_log():
    filters, _, _ = _audit_filters()
    if filters.errors:  # the list page shows what is wrong next to each box
        return redirect(url_for("auth.audit_log", **request.args))
    # On record before the file is sent: the rows are read as it streams, after this request commits.
    record_audit_export(current_user, filters.used)
    return spreadsheets.download("audit-log.csv", audit_export_rows(filters))


@bp.get("/admin/users")
@role_required(roles.ADMIN)
def users():
    page = args.page(request.args)
    return render_template("auth/users.html", pagination=list_users(page), roles=roles)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(
                current_user, form.email.data, form.name.data, form.role.data, form.password.data
            )
        except AccountError as error:
            show_refusal(error, form)
        else:
            flash(sentence(f"Account created for {user.name}"), "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user-new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@role_required(roles.ADMIN)
def edit_user(user_id: int):
    user = db.get_or_404(StaffUser, user_id)
    form = UserDetailsForm(obj=user)
    if form.validate_on_submit():
        try:
            changed = update_user(
                current_user, user, form.name.data, form.role.data, form.handles_data_requests.data
            )
        except AccountError as error:
            show_refusal(error, form)
        else:
            flash("Changes saved." if changed else "Nothing was changed.", "success")
            return redirect(url_for("auth.users"))
    return render_template("auth/user-edit.html", form=form, user=user, confirm=ConfirmForm())


@bp.post("/admin/users/<int:user_id>/deactivate")
@role_required(roles.ADMIN)
def deactivate_user(user_id: int):
    return _set_active(user_id, active=False)


@bp.post("/admin/users/<int:user_id>/reactivate")
@role_required(roles.ADMIN)
def reactivate_user(user_id: int):
    return _set_active(user_id, active=True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(StaffUser, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            set_active(current_user, user, active)
        except AccountError as error:
            show_refusal(error)
        else:
            flash(f"{user.name} can {'now' if active else 'no longer'} sign in.", "success")
    return redirect(url_for("auth.edit_user", user_id=user.id))
