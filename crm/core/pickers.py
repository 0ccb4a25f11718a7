"""Pickers: a staff form field that names a record on a register (a group, a policy, a consultation, an
event) by typing its name.

With JavaScript, accessible-autocomplete offers names from the kind's search endpoint (crm/pickers.py).
Without it, the field is a plain text input: a name that is on the register (any case) is taken; anything
else comes back with the form, nothing typed lost, and an error next to the field: "Did you mean …?" with
the near-duplicate matcher's suggestions as radios (`<field>-suggestion`), or that no such record is on the
register, or that the one named is archived.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from crm.core.matching import near_names


@dataclass
class Lookup:
    """How one kind of record is found by name."""

    noun: str  # "group"
    exact: Callable[[str], object | None]  # the unarchived record with this name, any case
    archived: Callable[[str], bool]  # is there an archived (or retired) one with this name?
    near: Callable[[str], list[str]]  # names of near-duplicates on the register, best first
    name_of: Callable[[object], str] = lambda record: record.name  # a record as its picker names it
    # what a name of an archived one gets; a retired policy is not restored, say
    archived_message: str = "The {noun} ‘{typed}’ is archived. Restore it first, or choose another {noun}"
    # does the name fit several, none of them by itself (an event's title without its day)?
    several: Callable[[str], bool] = lambda _typed: False

    def name(self, record) -> str:
        """What a picker field naming `record` holds: "" for none."""
        return self.name_of(record) if record is not None else ""


@dataclass
class Picked:
    record: object | None = None
    error: str = ""
    suggestions: list[str] = field(default_factory=list)


def suggestion_field(name: str) -> str:
    return f"{name}-suggestion"


def chosen_text(form_field, form_data) -> str:
    """What the field names: a suggestion chosen from "Did you mean …?" if one was, else what was typed.
    A chosen suggestion replaces the typed text, so the form shows it if it comes back."""
    chosen = (form_data.get(suggestion_field(form_field.name)) or "").strip()
    if chosen:
        form_field.data = chosen
    return (form_field.data or "").strip()


def pick(typed: str, lookup: Lookup) -> Picked:
    """The record `typed` names, or why not (with near matches to offer)."""
    typed = typed.strip()
    record = lookup.exact(typed)
    if record is not None:
        return Picked(record=record)
    suggestions = [name for name in lookup.near(typed) if name.lower() != typed.lower()]
    if lookup.several(typed):
        return Picked(
            error=f"More than one {lookup.noun} is called ‘{typed}’. Which one?", suggestions=suggestions
        )
    if lookup.archived(typed):
        error = lookup.archived_message.format(noun=lookup.noun, typed=typed)
    else:
        error = f"No {lookup.noun} called ‘{typed}’ is on the register"
    if suggestions:
        error += ". Did you mean one of these?"
    return Picked(error=error, suggestions=suggestions)


def keep_chosen(form_data, *form_fields) -> None:
    """Put each picker's chosen "Did you mean" suggestion in its field before the form is checked, so the
    choice is kept even when another field fails."""
    for form_field in form_fields:
        chosen_text(form_field, form_data)


def pick_into(form_field, form_data, lookup: Lookup, required: bool = False, keep=None):
    """Resolve a picker field of a posted form: the record it names, or None with the error (and any
    suggestions, as `form_field.suggestions`) put on the field. An empty optional field is None, no error.
    `keep` is what the record being edited names already: its name keeps it, even if archived since."""
    typed = chosen_text(form_field, form_data)
    form_field.suggestions = []
    if not typed:
        if required:
            article = "an" if lookup.noun[:1] in "aeiou" else "a"
            form_field.errors = [*form_field.errors, f"Enter the name of {article} {lookup.noun}"]
        return None
    if keep is not None and typed.lower() == lookup.name(keep).lower():
        return keep
    picked = pick(typed, lookup)
    if picked.record is None:
        form_field.errors = [*form_field.errors, picked.error]
        form_field.suggestions = picked.suggestions
    return picked.record


def pick_another(form_field, form_data, lookup: Lookup, linked: list[int]) -> list[int]:
    """A many-valued link as GOV.UK forms do it: the records still ticked (`linked`) and the one an "Add a
    …" picker field names, if any; a name that is not on the register puts its error on that field."""
    added = pick_into(form_field, form_data, lookup)
    return list(dict.fromkeys([*linked, *([added.id] if added is not None else [])]))


# Lookups an area provides for a lower area's forms, which may not import it (DESIGN §6): the events
# lookup, say, for a response keyed in at an event (consultations sits below engagement).
_provided: dict[str, Lookup] = {}


def provide(kind: str, lookup: Lookup) -> Lookup:
    _provided[kind] = lookup
    return lookup


def provided(kind: str) -> Lookup:
    return _provided[kind]


def search_short_register(rows: list[tuple[int, str]], q: str, limit: int = 10) -> list[tuple[int, str]]:
    """A picker's answer for a register of hundreds or a few thousand (policies, consultations, events), read
    whole: (id, name) of names containing what was typed (those starting with it first), then the matcher's
    near-duplicates of it."""
    needle = q.strip().lower()
    if len(needle) < 2:
        return []
    containing = sorted(
        (row for row in rows if needle in row[1].lower()),
        key=lambda row: (not row[1].lower().startswith(needle), row[1].lower(), row[0]),
    )[:limit]
    if len(containing) < limit and len(needle) >= 3:
        have = {row[0] for row in containing}
        near = near_names(q, [(name, (id_, name)) for id_, name in rows], limit=limit)
        containing += [row for row in near if row[0] not in have][: limit - len(containing)]
    return containing


def not_found_message(names: list[str], lookup: Lookup, most: int = 10) -> str:
    """One error for a field of several names (an event's groups, one a line) that are not on the register,
    each with the matcher's suggestions or saying it is archived."""
    parts = []
    for name in names[:most]:
        picked = pick(name, lookup)
        if lookup.archived(name):
            parts.append(f"‘{name}’ (archived)")
        elif picked.suggestions:
            parts.append(f"‘{name}’ (did you mean {' or '.join(f'‘{s}’' for s in picked.suggestions[:3])}?)")
        else:
            parts.append(f"‘{name}’")
    more = f" and {len(names) - most} more" if len(names) > most else ""
    return f"These {lookup.noun}s are not on the register: {', '.join(parts)}{more}"
