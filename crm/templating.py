"""Jinja set-up: our templates first, then the GOV.UK macros, and the UK date filters of crm/core/time.py."""

from flask import request, url_for
from flask_wtf.csrf import generate_csrf
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from crm.core.text import agrees, plural, sentence
from crm.core.time import govuk_date, govuk_date_time


def csrf_input() -> Markup:
    """The CSRF token as a hidden input without an id, so several forms can share a page."""
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(generate_csrf())}">')  # noqa: S704 (the token is escaped)


def page_url(page: int) -> str:
    """This page's URL with every filter kept (repeated ones too) and another page number."""
    args = request.args.to_dict(flat=False)
    args["page"] = [page]
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_templating(app) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(app.config["TEMPLATES_DIR"]),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["govuk_date"] = govuk_date
    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.globals["plural"] = plural
    app.jinja_env.globals["agrees"] = agrees
    app.jinja_env.filters["london_time"] = govuk_date_time  # the templates' name for a date and time
    app.jinja_env.globals["csrf_input"] = csrf_input
    app.jinja_env.globals["page_url"] = page_url
    WTFormsHelpers(app)
