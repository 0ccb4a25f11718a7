"""How a service says no: an error that names the form field its message belongs next to."""


class RuleBroken(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def show_on_form(form, error: RuleBroken) -> None:
    """Put a service's message next to its field, or next to the form's first field when it has no such
    field, so the error summary always links somewhere on the page."""
    target = getattr(form, error.field, None)
    if target is None or not hasattr(target, "errors"):
        target = next(field for field in form if field.type not in ("CSRFTokenField", "HiddenField"))
    target.errors = [*target.errors, str(error)]
