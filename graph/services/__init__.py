"""Use cases: each combines the store, the embedder and the algorithms for one user need.

Grouped by who needs them: ``catalogue`` (issuers), ``equivalence`` and ``crosswalk``
(mobility advisors), ``pathways`` (learners), ``proofs`` (assessors and learners); ``concepts``
(search and matching) and ``ingestion`` (framework imports) serve all of them.
"""
