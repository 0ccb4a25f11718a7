"""Reading list filters from a query string: bad values are ignored, never an error page."""

from datetime import date

from crm.core.time import parse_day


def ids(args, name: str) -> list[int]:
    """Every whole number given for `name` (?area=3&area=7), skipping anything else."""
    return [int(value) for value in args.getlist(name) if value.isdigit()]


def one_of(args, name: str, allowed) -> str:
    """The value given for `name` if it is one of `allowed`, else ""."""
    value = args.get(name, "")
    return value if value in allowed else ""


def search_text(args, name: str = "q") -> str:
    """What was typed in a search box, trimmed and capped so a pasted essay cannot slow the list."""
    return args.get(name, "").strip()[:200]


def one_id(args, name: str) -> int | None:
    value = args.get(name, "")
    return int(value) if value.isdigit() else None


def day(args, name: str) -> date | None:
    """A day as a browser's date input sends it (2026-11-27), or as a person types it where the browser
    shows a plain text box instead (27/11/2026); None for anything else."""
    return parse_day(args.get(name, ""))
