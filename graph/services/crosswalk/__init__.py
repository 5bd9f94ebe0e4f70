"""Crosswalks between occupation frameworks: profiles, signals and the ranking that uses them."""
