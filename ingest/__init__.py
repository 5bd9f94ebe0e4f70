"""Readers that turn published sources (ESCO, O*NET, CTDL, Open Badges, ELM) into the model."""
