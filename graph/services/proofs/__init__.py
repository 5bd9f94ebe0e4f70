"""Proofs of Competence: panels, submissions, assessments, issuing, revocation, verification."""
