"""Onboarding tests: item banks (issuers, assessors), adaptive attempts (learners)."""
