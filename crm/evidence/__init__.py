"""The evidence pack: every feedback item that reached a policy, its coverage, and how each was used."""
