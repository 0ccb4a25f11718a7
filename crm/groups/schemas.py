"""The groups spreadsheet: one row per group (and contact), read and written in the same columns.

Reading is done by a marshmallow schema so every cell gets a specific message; lists of areas,
characteristics and access needs are names separated by semicolons, matched case-insensitively.
"""

import re
from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate, validates_schema

from crm.core.spreadsheets import unneutralise
from crm.core.time import parse_day
from crm.groups.models import ACCESS_NEEDS, CONSENT_METHODS, GROUP_KINDS, GROUP_STATUSES

GROUP_COLUMNS = [
    "id",
    "name",
    "kind",
    "description",
    "areas",
    "characteristics",
    "languages",
    "access_needs",
    "website",
    "email",
    "phone",
    "status",
    "verified",
]
CONTACT_COLUMNS = [
    "contact_name",
    "contact_role",
    "contact_email",
    "contact_phone",
    "contact_preferred_language",
    "contact_access_needs",
    "contact_consent",
    "contact_consent_date",
    "contact_consent_method",
    "contact_consent_wording",
    "contact_do_not_contact",
]
REQUIRED_COLUMNS = ["name", "kind"]
SEPARATOR = ";"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


class Text(fields.String):
    def __init__(self, limit: int, label: str, required: bool = False):
        length = validate.Length(max=limit, error=f"{label} must be {limit} characters or fewer")
        if required:
            super().__init__(
                required=True, validate=length, error_messages={"required": f"Enter the {label.lower()}"}
            )
        else:
            super().__init__(load_default="", validate=length)
        self.label = label

    def _deserialize(self, value, attr, data, **kwargs):
        # The export wrote `'=x` for a cell `=x`; the import reads back what the group really has.
        text = unneutralise(super()._deserialize(value, attr, data, **kwargs).strip())
        if self.required and not text:
            raise ValidationError(f"Enter the {self.label.lower()}")
        if _CONTROL.search(text):
            raise ValidationError(f"{self.label} must not contain control characters")
        return text


class Choice(fields.Field):
    """A code or its label, in any case; `allowed` maps codes to labels."""

    def __init__(self, allowed: dict, label: str, **kwargs):
        super().__init__(**kwargs)
        self.allowed, self.label = allowed, label
        self.lookup = {**{k.lower(): k for k in allowed}, **{v.lower(): k for k, v in allowed.items()}}

    def _deserialize(self, value, attr, data, **kwargs):
        text = (value or "").strip().lower()
        if text not in self.lookup:
            raise ValidationError(f"{self.label} must be one of: {', '.join(self.allowed.values())}")
        return self.lookup[text]


def names_in(cell: str, lookup: dict, label: str) -> tuple[list, str | None]:
    """Values for the semicolon-separated names in a cell (any case), and a message naming any unknown."""
    names = [name.strip() for name in (cell or "").split(SEPARATOR) if name.strip()]
    unknown = [name for name in names if name.lower() not in lookup]
    found = list(dict.fromkeys(lookup[name.lower()] for name in names if name.lower() in lookup))
    return found, (f"Unknown {label}: {', '.join(unknown)}" if unknown else None)


class ChoiceList(Choice):
    def _deserialize(self, value, attr, data, **kwargs):
        found, problem = names_in(value, self.lookup, self.label)
        if problem:
            raise ValidationError(problem)
        return found


class YesNo(fields.Field):
    TRUE, FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}

    def _deserialize(self, value, attr, data, **kwargs):
        text = (value or "").strip().lower()
        if text in self.TRUE | self.FALSE:
            return text in self.TRUE
        raise ValidationError("Enter yes or no")


class UKDate(fields.Field):
    def _deserialize(self, value, attr, data, **kwargs):
        if not (value or "").strip():
            return None
        day = parse_day(value)
        if day is None:
            raise ValidationError("Enter a date like 2026-03-27 or 27/03/2026")
        return day


class GroupRowSchema(Schema):
    """One spreadsheet row. `areas` and `characteristics` map lower-cased names to ids."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer(
        load_default=None, allow_none=True, error_messages={"invalid": "id must be a whole number"}
    )
    name = Text(200, "Name", required=True)
    kind = Choice(GROUP_KINDS, "Kind", required=True)
    description = Text(5000, "Description")
    languages = Text(500, "Languages")
    access_needs = ChoiceList(ACCESS_NEEDS, "access needs", load_default=list)
    website = Text(500, "Website")
    email = Text(254, "Email")
    phone = Text(40, "Phone")
    status = Choice(GROUP_STATUSES, "Status", load_default="active")
    verified = YesNo(load_default=True)
    contact_name = Text(120, "Contact name")
    contact_role = Text(120, "Contact role")
    contact_email = Text(254, "Contact email")
    contact_phone = Text(40, "Contact phone")
    contact_preferred_language = Text(60, "Contact preferred language")
    contact_access_needs = Text(500, "Contact access needs")
    contact_consent = YesNo(load_default=False)
    contact_consent_date = UKDate(load_default=None)
    contact_consent_method = fields.Field(load_default="")
    contact_consent_wording = Text(2000, "Contact consent wording")
    contact_do_not_contact = YesNo(load_default=False)

    def __init__(self, areas: dict[str, int], characteristics: dict[str, int], **kwargs):
        super().__init__(**kwargs)
        self.area_ids, self.characteristic_ids = areas, characteristics

    @pre_load
    def blank_means_default(self, data, **kwargs):
        # An empty cell is "not given": let load_default apply, except for required columns.
        return {key: value for key, value in data.items() if key in REQUIRED_COLUMNS or (value or "").strip()}

    def load_names(
        self, data: dict, column: str, lookup: dict[str, int], label: str, errors: dict
    ) -> list[int]:
        found, problem = names_in(data.get(column), lookup, label)
        if problem:
            errors[column] = [problem]
        return found

    @validates_schema
    def check_contact(self, data, **kwargs):
        errors = {}
        email_pattern = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
        for column in ("email", "contact_email"):
            if data.get(column) and not email_pattern.match(data[column]):
                errors[column] = ["Enter an email address like name@example.org"]
        method = (data.get("contact_consent_method") or "").strip().lower()
        methods = {**{k: k for k in CONSENT_METHODS}, **{v.lower(): k for k, v in CONSENT_METHODS.items()}}
        if method and method not in methods:
            errors["contact_consent_method"] = [
                f"Consent method must be one of: {', '.join(CONSENT_METHODS.values())}"
            ]
        has_contact = any(data.get(c) for c in ("contact_email", "contact_phone", "contact_role"))
        if has_contact and not data.get("contact_name"):
            errors["contact_name"] = ["Enter the contact’s name, or leave every contact column empty"]
        if data.get("contact_consent"):
            consent_date = data.get("contact_consent_date")
            if consent_date is None:
                errors["contact_consent_date"] = ["Enter the date the contact gave consent"]
            elif consent_date > date.today():
                errors["contact_consent_date"] = ["The consent date must be today or in the past"]
            if not method:
                errors["contact_consent_method"] = ["Enter how the contact gave consent"]
            if not data.get("contact_consent_wording"):
                errors["contact_consent_wording"] = ["Enter the wording the contact agreed to"]
        if errors:
            raise ValidationError(errors)
        data["contact_consent_method"] = methods.get(method, "")


def load_row(schema: GroupRowSchema, row: dict) -> tuple[dict | None, dict[str, list[str]]]:
    """Validate one row: (values, {}) or (None, {column: [messages]})."""
    errors: dict[str, list[str]] = {}
    area_ids = schema.load_names(row, "areas", schema.area_ids, "areas", errors)
    characteristic_ids = schema.load_names(
        row, "characteristics", schema.characteristic_ids, "characteristics", errors
    )
    try:
        values = schema.load({k: v for k, v in row.items() if k not in ("areas", "characteristics")})
    except ValidationError as error:
        errors.update(
            {
                key: list(messages) if isinstance(messages, list) else [str(messages)]
                for key, messages in error.messages.items()
            }
        )
        return None, errors
    if errors:
        return None, errors
    values["area_ids"], values["characteristic_ids"] = area_ids, characteristic_ids
    return values, {}


def export_row(group, contact=None, with_contacts: bool = False) -> list:
    """One row of the groups spreadsheet, as values: the spreadsheet writer makes every cell formula-safe."""
    cells = [
        group.id,
        group.name,
        group.kind_label,
        group.description,
        f"{SEPARATOR} ".join(a.name for a in group.areas),
        f"{SEPARATOR} ".join(c.name for c in group.characteristics),
        group.languages,
        f"{SEPARATOR} ".join(ACCESS_NEEDS.get(n, n) for n in group.access_needs),
        group.website,
        group.email,
        group.phone,
        group.status_label,
        yes_no(group.is_verified),
    ]
    if with_contacts:
        cells += (
            [
                contact.name,
                contact.role,
                contact.email,
                contact.phone,
                contact.preferred_language,
                contact.access_needs,
                yes_no(contact.consent_given),
                contact.consent_date.isoformat() if contact.consent_date else "",
                CONSENT_METHODS.get(contact.consent_method, ""),
                contact.consent_wording,
                yes_no(contact.do_not_contact),
            ]
            if contact
            else [""] * len(CONTACT_COLUMNS)
        )
    return cells
