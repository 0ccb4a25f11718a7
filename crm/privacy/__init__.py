"""People's rights under UK GDPR: the public contact page and data requests (withdraw, copy, erase, correct),
the staff queue that handles them, and the retention of their records."""
