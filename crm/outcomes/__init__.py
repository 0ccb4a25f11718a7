"""We asked, you said, we did: what a consultation heard and what changed because of it."""
