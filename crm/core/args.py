"""Reading what a URL carries: bad values are ignored, never an error page.

Three things here keep any URL from reaching the database with a value it refuses (which was a 500):
- `BoundedIntConverter` replaces Flask's `int` converter for every `<int:...>` route: an id past the
  database's 32-bit integers (2^31 and more) is a 404 like any id that does not exist;
- `NulFreeParameters` is the request's storage for query arguments and form fields: NUL bytes are dropped
  as they are parsed, since PostgreSQL refuses them in text, so a form keeps its answers;
- every request but an upload's is limited to FORM_MAX_BYTES (`CrmRequest.max_content_length`);
- the readers below (`ids`, `one_id`, `page`...) take only ASCII digits within range.
"""

import re
from datetime import date

from flask import Request, current_app
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.routing import BaseConverter, IntegerConverter

from crm.core.time import end_of_uk_day, parse_day, start_of_uk_day

# The largest id an `Integer` column holds (PostgreSQL's `integer`); every table's ids are below it.
MAX_ID = 2**31 - 1
# More pages than any list has; a page number past the last one gets the last page (crm/core/pagination.py).
MAX_PAGE = 1_000_000
_WHOLE_NUMBER = re.compile(r"[0-9]{1,10}")  # ASCII digits only: "²".isdigit() is True, but int("²") fails


class BoundedIntConverter(IntegerConverter):
    """`<int:...>` for ids: 1 to MAX_ID, anything else is not a page (404)."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TokenConverter(BaseConverter):
    """`<token:...>`: a random token in a URL (secrets.token_urlsafe), such as an upload's. Anything else
    of that alphabet reaches the view, which says the token names nothing."""

    regex = r"[A-Za-z0-9_\-]{1,64}"


def _without_nul(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class NulFreeParameters(ImmutableMultiDict):
    """Query arguments and form fields with NUL bytes dropped (uploaded files are left alone)."""

    def __init__(self, mapping=None):
        if mapping is None:
            super().__init__()
            return
        items = MultiDict(mapping).items(multi=True) if isinstance(mapping, dict) else mapping
        super().__init__([(_without_nul(key), _without_nul(value)) for key, value in items])


def takes_uploads(view):
    """Marks a view that takes uploaded files: its requests may be as large as MAX_CONTENT_LENGTH. Every other
    request stops at FORM_MAX_BYTES, so a form cannot be sent megabytes to parse and hold."""
    view.takes_uploads = True
    return view


class CrmRequest(Request):
    parameter_storage_class = NulFreeParameters

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self._max_content_length is not None or not current_app:
            return limit  # set for this request, or outside the app
        view = current_app.view_functions.get(self.endpoint or "")
        if getattr(view, "takes_uploads", False):
            return limit
        small = current_app.config["FORM_MAX_BYTES"]
        return small if limit is None else min(limit, small)

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def whole_number(value: str | None, maximum: int = MAX_ID) -> int | None:
    """`value` as a whole number from 0 to `maximum`, or None for anything else."""
    value = (value or "").strip()
    if not _WHOLE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if number <= maximum else None


def ids(args, name: str) -> list[int]:
    """Every id given for `name` (?area=3&area=7), skipping anything else (and ids no table can hold)."""
    return [number for value in args.getlist(name) if (number := whole_number(value)) is not None]


def one_of(args, name: str, allowed) -> str:
    """The value given for `name` if it is one of `allowed`, else ""."""
    value = args.get(name, "")
    return value if value in allowed else ""


def search_text(args, name: str = "q") -> str:
    """What was typed in a search box, trimmed and capped so a pasted essay cannot slow the list."""
    return args.get(name, "").strip()[:200]


def one_id(args, name: str) -> int | None:
    return whole_number(args.get(name))


def page(args, name: str = "page") -> int:
    """A page number: 1 when missing or not a number, at most MAX_PAGE (pagination clamps it further)."""
    value = (args.get(name) or "").strip()
    if not value.isascii() or not value.isdigit():
        return 1
    return max(1, min(int(value[:8]), MAX_PAGE))  # eight digits are past MAX_PAGE already


def per_page(args, default: int, name: str = "per_page") -> int:
    number = whole_number(args.get(name), maximum=100)
    return number or default


def day(args, name: str) -> date | None:
    """A day as a browser's date input sends it (2026-11-27), or as a person types it where the browser
    shows a plain text box instead (27/11/2026); None for anything else."""
    return parse_day(args.get(name, ""))


def typed_day_range_problems(date_from: str, date_to: str) -> dict[str, str]:
    """What is wrong with a from/to pair of typed dates, by field, in GOV.UK's words: not a real day
    ("Start date must be a real date"), or the end before the start. A filter form shows each next to its
    field; every page with such a pair says the same."""
    problems = {}
    start, end = parse_day(date_from), parse_day(date_to)
    for name, label, typed, parsed in (
        ("date_from", "Start date", date_from, start),
        ("date_to", "End date", date_to, end),
    ):
        if typed and parsed is None:
            problems[name] = f"{label} must be a real date"
    if start and end and end < start:
        problems["date_to"] = "The end date must be the same as or after the start date"
    return problems


def within_typed_days(column, date_from: str, date_to: str) -> list:
    """WHERE clauses keeping `column` within the typed days, whole UK days; a bound with a problem is left
    out, as the page shows the problem instead."""
    problems = typed_day_range_problems(date_from, date_to)
    start, end = parse_day(date_from), parse_day(date_to)
    conditions = []
    if start and "date_from" not in problems:
        conditions.append(column >= start_of_uk_day(start))
    if end and "date_to" not in problems:
        conditions.append(column < end_of_uk_day(end))
    return conditions
