"""Email to contacts. Every message carries a link that withdraws the contact's consent to be contacted: a
signed token naming the contact (itsdangerous, keyed by SECRET_KEY), so the link needs no table and works for
as long as the person keeps the email."""

from flask import current_app, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from crm.core import email
from crm.extensions import db
from crm.groups.models import Contact

_SALT = "withdraw-consent"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def consent_token(contact: Contact) -> str:
    return _serializer().dumps(contact.id)


def contact_for_token(token: str) -> Contact | None:
    """The contact a withdraw-consent link names, or None for a link that was not ours or was altered."""
    try:
        contact_id = _serializer().loads(token or "")
    except BadSignature:
        return None
    return db.session.get(Contact, contact_id) if isinstance(contact_id, int) else None


def withdraw_consent_url(contact: Contact) -> str:
    # The public page is the privacy area's; named by endpoint, so groups need not import it.
    return url_for("privacy.withdraw_consent", token=consent_token(contact), _external=True)


def send_to_contact(
    contact: Contact, subject: str, body: str, purpose: str = "", deliver_now: bool = True
) -> email.OutboundEmail:
    """Queue a message to a contact, with the withdraw-consent link at its foot. Refused for a contact who has
    not consented, has asked not to be contacted, or is archived."""
    if not contact.can_be_contacted or not contact.email:
        raise ValueError("This contact cannot be emailed")
    footer = (
        "\n\n--\nYou are receiving this because you agreed to be contacted about community engagement.\n"
        f"To stop us contacting you, use this link: {withdraw_consent_url(contact)}\n"
    )
    return email.send(
        contact.email, subject, body.rstrip() + footer, purpose=purpose, deliver_now=deliver_now
    )
