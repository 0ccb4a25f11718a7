"""Extension points: an area adds what it knows to a page that a lower area owns, without that area importing
it (imports go one way, DESIGN §6). A page names its point; the areas above it contribute template values.

    @contributes_to("policy-page")          # in crm/evidence/views.py
    def _evidence(policy): return {"total": ...}

    render_template(..., **contributions("policy-page", policy))   # in crm/policies/views.py
"""

from collections.abc import Callable

_contributors: dict[str, list[Callable[[object], dict]]] = {}


def contributes_to(point: str):
    def register(function: Callable[[object], dict]):
        _contributors.setdefault(point, []).append(function)
        return function

    return register


def contributions(point: str, record) -> dict:
    values: dict = {}
    for contributor in _contributors.get(point, ()):
        values.update(contributor(record))
    return values
