"""Equality Impact Assessments: drafting, findings citing evidence, actions, review and sign-off."""
