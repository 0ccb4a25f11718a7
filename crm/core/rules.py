"""How a service says no: an error that names the form field its message belongs next to, and the one way a
view shows it."""

from email_validator import EmailNotValidError, validate_email
from flask import flash

from crm.core import transaction


class RuleBroken(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def bounded_text(value: str | None, field: str, label: str, limit: int) -> str:
    """Free text as typed, trimmed; refused when longer than `limit` characters."""
    value = (value or "").strip()
    if len(value) > limit:
        raise RuleBroken(field, f"{label} must be {limit:,} characters or fewer")
    return value


def is_email_address(value: str) -> bool:
    """The same check the forms' Email validator makes (email-validator), without looking the domain up."""
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def show_refusal(error: RuleBroken, form=None) -> None:
    """The one way a view shows a service's refusal: next to its field when there is a form (or next to the
    form's first field when it has no such field, so the error summary always links somewhere), otherwise as
    an error message. Whatever the service changed before it refused is discarded."""
    transaction.discard()
    if form is None:
        flash(str(error), "error")
        return
    target = getattr(form, error.field, None)
    if target is None or not hasattr(target, "errors"):
        target = next(field for field in form if field.type not in ("CSRFTokenField", "HiddenField"))
    target.errors = [*target.errors, str(error)]
