"""Staff roles and what each may do. Views name the roles they allow; nothing else decides access."""

from crm.core.models import Choice


class Role(Choice):
    ADMIN = "admin", "Admin"
    ENGAGEMENT_OFFICER = "engagement_officer", "Engagement officer"
    POLICY_LEAD = "policy_lead", "Policy lead"
    EQUALITY_LEAD = "equality_lead", "Equality lead"
    VIEWER = "viewer", "Viewer"


ADMIN = Role.ADMIN
ENGAGEMENT_OFFICER = Role.ENGAGEMENT_OFFICER
POLICY_LEAD = Role.POLICY_LEAD
EQUALITY_LEAD = Role.EQUALITY_LEAD
VIEWER = Role.VIEWER

LABELS = Role.labels()
ALL = tuple(LABELS)
# Rule 1: names, emails and phones of contacts and respondents.
SEES_PERSONAL_DATA = (ADMIN, ENGAGEMENT_OFFICER)
# Rule 2: suppressed equality-monitoring aggregates.
SEES_MONITORING = (ADMIN, EQUALITY_LEAD)
EDITS_RECORDS = (ADMIN, ENGAGEMENT_OFFICER, POLICY_LEAD, EQUALITY_LEAD)
