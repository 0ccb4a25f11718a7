"""Groups on the register, read with the register's filters by any staff role, as on the pages. A group's
email and phone and its contacts (personal data) only for the roles that see personal data, and a contact's
details never without them."""

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from crm.api.auth import sees_personal_data, token_required
from crm.api.pagination import PageArgs, PageMeta, decode, page_of
from crm.api.schemas import Named, id_list
from crm.extensions import db
from crm.groups import queries
from crm.groups.models import GROUP_KINDS, GROUP_STATUSES, CommunityGroup

groups = Blueprint("api-groups", __name__, url_prefix="/api/v1/groups", description="Groups on the register")


class GroupArgs(PageArgs):
    q = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "Words in the name"})
    characteristic = id_list("Representing any of these characteristics")
    area = id_list("Serving any of these areas")
    kind = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(GROUP_KINDS))))
    status = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(list(GROUP_STATUSES))))
    verified = ma.fields.String(validate=ma.validate.OneOf(["yes", "no"]))
    archived = ma.fields.Boolean(load_default=False, metadata={"description": "Archived groups instead"})


class GroupContact(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    consent_given = ma.fields.Boolean(required=True)
    do_not_contact = ma.fields.Boolean(required=True)


class Group(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"enum": list(GROUP_KINDS)})
    status = ma.fields.String(required=True, metadata={"enum": list(GROUP_STATUSES)})
    description = ma.fields.String(required=True)
    website = ma.fields.String(required=True)
    is_verified = ma.fields.Boolean(required=True)
    is_archived = ma.fields.Boolean(required=True)
    areas = ma.fields.List(ma.fields.Nested(Named), required=True)
    characteristics = ma.fields.List(ma.fields.Nested(Named), required=True)
    email = ma.fields.String(required=True, allow_none=True, metadata={"description": "Null for other roles"})
    phone = ma.fields.String(required=True, allow_none=True, metadata={"description": "Null for other roles"})


class GroupWithContacts(Group):
    contacts = ma.fields.List(
        ma.fields.Nested(GroupContact),
        required=True,
        allow_none=True,
        metadata={"description": "Null for roles that do not see personal data"},
    )


class GroupPage(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(Group), required=True)
    page = ma.fields.Nested(PageMeta, required=True)


def _group_dict(group: CommunityGroup, personal: bool) -> dict:
    return {
        "id": group.id,
        "name": group.name,
        "kind": group.kind,
        "status": group.status,
        "description": group.description,
        "website": group.website,
        "is_verified": group.is_verified,
        "is_archived": group.is_archived,
        "areas": [{"id": area.id, "name": area.name} for area in group.areas],
        "characteristics": [{"id": row.id, "name": row.name} for row in group.characteristics],
        "email": group.email if personal else None,
        "phone": group.phone if personal else None,
    }


@groups.route("")
class GroupList(MethodView):
    @token_required()
    @groups.arguments(GroupArgs, location="query", unknown=ma.RAISE)
    @groups.response(200, GroupPage)
    def get(self, args):
        """Groups on the register with its filters, by id"""
        filters = queries.GroupFilters(
            q=args.get("q", ""),
            characteristic=args.get("characteristic", []),
            area=args.get("area", []),
            kind=args.get("kind", []),
            status=args.get("status", []),
            verified=args.get("verified", ""),
            archived=args["archived"],
        )
        query = queries.filtered_groups(filters)
        if (after := decode(args.get("cursor"))) is not None:
            query = query.where(CommunityGroup.id > after)
        query = query.order_by(CommunityGroup.id).limit(args["limit"] + 1)
        rows, next_cursor = page_of(list(db.session.scalars(query)), args["limit"])
        personal = sees_personal_data()
        return {
            "items": [_group_dict(row, personal) for row in rows],
            "page": {"limit": args["limit"], "next_cursor": next_cursor},
        }


@groups.route("/<int:group_id>")
class GroupItem(MethodView):
    @token_required()
    @groups.response(200, GroupWithContacts)
    def get(self, group_id: int):
        """One group, with its contacts for the roles that see personal data"""
        personal = sees_personal_data()
        group = queries.group_with_links(group_id)  # archived ones too, asked for by id
        if group is None:
            abort(404)
        contacts = None
        if personal:
            contacts = [
                {
                    "id": contact.id,
                    "name": contact.name,
                    "role": contact.role,
                    "email": contact.email,
                    "consent_given": contact.consent_given,
                    "do_not_contact": contact.do_not_contact,
                }
                for contact in group.contacts
                if not contact.is_archived
            ]
        return {**_group_dict(group, personal), "contacts": contacts}
