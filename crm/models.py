"""Imports every area's models so the metadata (and so Alembic) sees all tables."""

from crm.auth.models import SignInThrottle, StaffUser
from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Theme

__all__ = ["Area", "AuditEvent", "Barrier", "Characteristic", "SignInThrottle", "StaffUser", "Theme"]
