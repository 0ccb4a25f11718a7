"""Imports every area's models so the metadata (and so Alembic) sees all tables."""

from crm.auth.models import SignInThrottle, StaffUser
from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Theme
from crm.groups.models import CommunityGroup, Contact, ImportBatch

__all__ = [
    "Area",
    "AuditEvent",
    "Barrier",
    "Characteristic",
    "CommunityGroup",
    "Contact",
    "ImportBatch",
    "SignInThrottle",
    "StaffUser",
    "Theme",
]
