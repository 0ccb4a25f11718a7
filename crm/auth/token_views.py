"""API tokens: staff manage their own at /staff/account/tokens; admins see and revoke anyone's."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles, tokens
from crm.auth.forms import NewTokenForm
from crm.auth.models import ApiToken
from crm.auth.permissions import any_staff, role_required
from crm.core import args
from crm.core.models import utc_now
from crm.core.rules import show_refusal
from crm.extensions import db
from crm.forms import ConfirmForm

bp = Blueprint("tokens", __name__, url_prefix="/staff")


@bp.get("/account/tokens")
@any_staff
def my_tokens():
    return render_template(
        "auth/tokens.html", tokens=tokens.tokens_of(current_user.id), now=utc_now(), confirm=ConfirmForm()
    )


@bp.route("/account/tokens/new", methods=["GET", "POST"])
@any_staff
def new_token():
    form = NewTokenForm()
    if request.method == "GET":
        form.expires_on.data = tokens.default_expiry()
    if form.validate_on_submit():
        try:
            created = tokens.create_token(current_user, form.name.data, form.scope.data, form.expires_on.data)
        except tokens.TokenError as error:
            show_refusal(error, form)
        else:
            # Shown in this response only (201 Created, never cached under /staff): the secret is not stored,
            # so there is nothing to redirect to that could show it again, and it never goes in a cookie.
            page = render_template("auth/token-created.html", token=created.token, secret=created.secret)
            return page, 201
    return render_template("auth/token-new.html", form=form)


@bp.post("/account/tokens/<int:token_id>/revoke")
@any_staff
def revoke_my_token(token_id: int):
    token = tokens.token_owned_by(current_user.id, token_id)
    if token is None:
        abort(404)
    return _revoke(token, url_for("tokens.my_tokens"))


@bp.get("/admin/tokens")
@role_required(roles.ADMIN)
def all_tokens():
    return render_template(
        "auth/admin-tokens.html",
        pagination=tokens.all_tokens(args.page(request.args)),
        now=utc_now(),
        confirm=ConfirmForm(),
    )


@bp.post("/admin/tokens/<int:token_id>/revoke")
@role_required(roles.ADMIN)
def revoke_any_token(token_id: int):
    return _revoke(db.get_or_404(ApiToken, token_id), url_for("tokens.all_tokens"))


def _revoke(token: ApiToken, back: str):
    if ConfirmForm().validate_on_submit():
        if tokens.revoke_token(current_user, token):
            flash(f"Token ‘{token.name}’ revoked. It no longer works.", "success")
        else:
            flash(f"Token ‘{token.name}’ was already revoked.", "info")
    return redirect(back)
