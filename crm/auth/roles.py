"""Staff roles and what each may do. Views name the roles they allow; nothing else decides access."""

ADMIN = "admin"
ENGAGEMENT_OFFICER = "engagement_officer"
POLICY_LEAD = "policy_lead"
EQUALITY_LEAD = "equality_lead"
VIEWER = "viewer"

LABELS = {
    ADMIN: "Admin",
    ENGAGEMENT_OFFICER: "Engagement officer",
    POLICY_LEAD: "Policy lead",
    EQUALITY_LEAD: "Equality lead",
    VIEWER: "Viewer",
}
ALL = tuple(LABELS)
# Rule 1: names, emails and phones of contacts and respondents.
SEES_PERSONAL_DATA = (ADMIN, ENGAGEMENT_OFFICER)
# Rule 2: suppressed equality-monitoring aggregates.
SEES_MONITORING = (ADMIN, EQUALITY_LEAD)
EDITS_RECORDS = (ADMIN, ENGAGEMENT_OFFICER, POLICY_LEAD, EQUALITY_LEAD)
