"""The outbox for admins (/staff/admin/email): every email the app has sent or would have sent, newest first,
and each message's text.

Where SMTP_HOST is not set (development, `make run`) nothing leaves the machine, so this is where the mail
the app "sent" is read. Where it is set, it is the delivery log: what was sent, what the server refused and
why, with a button to try the unsent again. Message bodies name people, so only admins see them, and each
look is on record."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crm.auth import roles
from crm.auth.permissions import role_required
from crm.core import args, audit, email
from crm.core.email import OutboundEmail
from crm.extensions import db
from crm.forms import ConfirmForm

bp = Blueprint("outbox", __name__, url_prefix="/staff/admin/email")

# Tried again from the page, in the request; `flask --app wsgi crm send-email` takes more at a time.
RETRY_AT_ONCE = 200


@bp.get("")
@role_required(roles.ADMIN)
def outbox():
    pagination = email.outbox(args.page(request.args))
    audit.record(current_user, "email.listed", None, ["subject", "to_address"], entity_type="outbound_email")
    return render_template(
        "auth/outbox.html",
        pagination=pagination,
        counts=email.outbox_counts(),
        sending=email.sending_enabled(),
        form=ConfirmForm(),
    )


@bp.get("/<int:email_id>")
@role_required(roles.ADMIN)
def message(email_id: int):
    found = db.get_or_404(OutboundEmail, email_id)
    audit.record(current_user, "email.viewed", found, ["body", "subject", "to_address"])
    return render_template("auth/outbox-message.html", message=found, sending=email.sending_enabled())


@bp.post("/retry")
@role_required(roles.ADMIN)
def retry():
    if ConfirmForm().validate_on_submit():
        if not email.sending_enabled():
            flash("This environment does not send email (SMTP_HOST is not set), so nothing was sent.", "info")
        else:
            sent = email.deliver(limit=RETRY_AT_ONCE)
            left = email.outbox_counts()
            still = left["waiting"] + left["failed"]
            flash(
                f"Sent {sent:,} {'message' if sent == 1 else 'messages'}."
                + (f" {still:,} still not sent: see the errors below." if still else ""),
                "success" if sent or not still else "info",
            )
    return redirect(url_for("outbox.outbox"))
