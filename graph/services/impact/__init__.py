"""Certificates of Impact: claims, endorsements, signed certificates, the member's portfolio."""
