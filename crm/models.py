"""Imports every area's models so the metadata (and so Alembic) sees all tables."""

from crm.auth.models import SignInThrottle, StaffUser
from crm.consultations.models import Answer, Consultation, MonitoringAnswer, Question, Response
from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Theme
from crm.feedback.models import Feedback
from crm.groups.models import CommunityGroup, Contact
from crm.policies.models import Policy

__all__ = [
    "Answer",
    "Consultation",
    "Feedback",
    "MonitoringAnswer",
    "Policy",
    "Question",
    "Response",
    "Area",
    "AuditEvent",
    "Barrier",
    "Characteristic",
    "CommunityGroup",
    "Contact",
    "SignInThrottle",
    "StaffUser",
    "Theme",
]
