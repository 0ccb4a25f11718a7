"""Imports every area's models so the metadata (and so Alembic) sees all tables."""

from crm.api.models import IdempotencyKey
from crm.auth.models import ApiToken, SignInThrottle, StaffUser
from crm.bodies.models import Membership, Recommendation, RecommendationResponse, StandingBody
from crm.consultations.models import (
    Answer,
    Consultation,
    MonitoringAnswer,
    MonitoringSnapshot,
    MonitoringWaiting,
    Question,
    Response,
)
from crm.core.email import OutboundEmail
from crm.core.models import Area, AuditEvent, Barrier, Characteristic, Job, Theme
from crm.eias.models import EIA, EIAAction, EIAFinding
from crm.engagement.models import EngagementEvent, EventReach, Invitation
from crm.evidence.models import OutreachTask
from crm.feedback.models import Feedback
from crm.groups.models import CommunityGroup, Contact, ImportBatch
from crm.outcomes.models import Outcome
from crm.policies.models import Policy, PolicyInfluence
from crm.privacy.models import DataRequest, DataRequestNote, OrganisationDetails
from crm.reports.models import BaselineImport, CategoryMap, CensusTable, PopulationBaseline

__all__ = [
    "Answer",
    "ApiToken",
    "IdempotencyKey",
    "Area",
    "AuditEvent",
    "Barrier",
    "BaselineImport",
    "CategoryMap",
    "CensusTable",
    "Characteristic",
    "CommunityGroup",
    "Consultation",
    "Contact",
    "DataRequest",
    "DataRequestNote",
    "EIA",
    "EIAAction",
    "EIAFinding",
    "EngagementEvent",
    "EventReach",
    "Feedback",
    "ImportBatch",
    "Invitation",
    "Job",
    "Membership",
    "MonitoringAnswer",
    "MonitoringSnapshot",
    "MonitoringWaiting",
    "OrganisationDetails",
    "OutreachTask",
    "OutboundEmail",
    "PopulationBaseline",
    "Outcome",
    "Policy",
    "PolicyInfluence",
    "Question",
    "Recommendation",
    "RecommendationResponse",
    "Response",
    "SignInThrottle",
    "StandingBody",
    "StaffUser",
    "Theme",
]
