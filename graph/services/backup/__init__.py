"""Backup and restore of a whole store: a JSON Lines dump out, the same store back (admins)."""
