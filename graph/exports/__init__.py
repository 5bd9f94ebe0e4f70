"""Pure builders of the standard documents credwalk writes: Open Badges 3.0, CTDL, ELM.

Each takes model objects and returns a JSON(-LD) document; none reads a store or signs (the
services in :mod:`graph.services` do). Readers of the same formats are in ``ingest/``.
"""
