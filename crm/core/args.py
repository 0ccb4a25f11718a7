"""Reading list filters from a query string: bad values are ignored, never an error page."""

from datetime import date


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


def iso_day(args, name: str) -> date | None:
    """A date as a browser's date input sends it (2026-11-27), or None."""
    try:
        return date.fromisoformat(args.get(name, ""))
    except ValueError:
        return None
