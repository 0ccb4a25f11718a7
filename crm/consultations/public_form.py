"""The public response form's questions and "About you" section, rendered once for each version of a
consultation and reused for everyone who opens the form.

Rendering some 70 radio buttons through the GOV.UK macros was about half the cost of a public submission, and
a blank form is the same for every visitor. What differs per visitor (the CSRF token, the form's one-time
token, the page's CSP nonce) is outside this part of the page, and a form shown again with someone's answers
or errors is always rendered afresh.
"""

import threading
from collections import OrderedDict

from flask import render_template
from markupsafe import Markup

from crm.consultations import monitoring

# Versions kept per process: every open consultation, and old versions until they fall out.
MAX_KEPT = 256
_rendered: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


def version(consultation) -> tuple:
    """Everything this part of the page shows. A consultation whose questions or monitoring change has a new
    version, so a kept rendering can never be out of date; no one has to remember to clear it."""
    return (
        consultation.id,
        tuple(question.code for question in monitoring.asked_questions(consultation)),
        tuple(
            (q.id, q.kind, q.text, q.hint, q.required, q.max_length, tuple(q.options))
            for q in consultation.questions  # in their order, which numbers them
        ),
    )


def fields(consultation, form, *, blank: bool) -> Markup:
    """The form's fields as HTML: kept and reused when the form is blank (shown for the first time)."""
    if not blank:
        return _render(consultation, form)
    key = version(consultation)
    with _lock:
        if key in _rendered:
            _rendered.move_to_end(key)
            return _rendered[key]
    rendered = _render(consultation, form)
    with _lock:
        _rendered[key] = rendered
        while len(_rendered) > MAX_KEPT:
            _rendered.popitem(last=False)
    return rendered


def forget_all() -> None:
    with _lock:
        _rendered.clear()


def _render(consultation, form) -> Markup:
    return Markup(  # noqa: S704 (our own template, autoescaped)
        render_template(
            "consultations/_response-fields.html",
            consultation=consultation,
            form=form,
            monitoring_questions=monitoring.asked_questions(consultation),
            staff=False,
        )
    )
