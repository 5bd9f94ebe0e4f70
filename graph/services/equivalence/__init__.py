"""Mobility advisors' use cases: explained equivalence, equivalents, comparison, recognition."""
