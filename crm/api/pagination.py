"""Cursor pagination: `limit` items after an opaque `cursor`, and the cursor of the next page (or null).

A cursor is the last id seen, base64-encoded with a version mark, so callers treat it as opaque and the
encoding can change without breaking them. Keyset paging costs the same on page 1 and page 10,000.
"""

import base64
import binascii

import marshmallow as ma
from flask_smorest import abort

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_MARK = "v1:"


class PageArgs(ma.Schema):
    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": f"Items per page, 1 to {MAX_LIMIT}"},
    )
    cursor = ma.fields.String(
        validate=ma.validate.Length(max=100),
        metadata={"description": "The `next_cursor` of the previous page"},
    )


class PageMeta(ma.Schema):
    limit = ma.fields.Integer(required=True)
    next_cursor = ma.fields.String(required=True, allow_none=True)


def encode(value: int) -> str:
    return base64.urlsafe_b64encode(f"{_MARK}{value}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    """The position a cursor names; a 422 problem for one that was not made by `encode`."""
    if not cursor:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(_MARK) and text[len(_MARK) :].isdigit():
            value = int(text[len(_MARK) :])
            if 0 < value < 2**31:
                return value
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    abort(422, errors={"query": {"cursor": ["Not a cursor this API gave out."]}})
    return None  # not reached: abort raises


def page_of(rows: list, limit: int, position=lambda row: row.id) -> tuple[list, str | None]:
    """`rows` fetched with limit + 1: the page, and the cursor after it when there is more."""
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode(position(rows[-1]))
    return rows, None
