"""Learners' use cases: their record, targets, the gap, pathways, career transitions."""
