"""CTDL / CTDL-ASN JSON-LD (Credential Engine) read as linked data.

Credentials, learning opportunities, organisations and competency frameworks are read
(:mod:`graph.exports.ctdl` writes credentials, and holds the vocabulary both directions share). The
public name is re-exported here, so importers use ``from ingest.credentials.ctdl import read_ctdl``.

Where things are:

- :mod:`~ingest.credentials.ctdl.read`: :func:`read_ctdl`, which walks a file's records and collects
  what
  they describe (start here);
- :mod:`~ingest.credentials.ctdl.stand_in`: preparing records for the local stand-in of the CTDL
  context,
  and why there is one;
- :mod:`~ingest.credentials.ctdl.nodes`: the per-record context and accessors on flattened nodes;
- :mod:`~ingest.credentials.ctdl.credentials`: credential, learning-opportunity and organisation
  nodes to
  :class:`~graph.model.credentials.Credential` and :class:`~graph.model.credentials.Issuer`;
- :mod:`~ingest.credentials.ctdl.frameworks`: CTDL-ASN frameworks and competencies to a concept
  scheme and
  skill concepts;

Names with a leading underscore are internal to this package: its modules share them, nothing
outside should import them.
"""

from __future__ import annotations

from graph.exports.ctdl import CTDL_CONTEXT, credential_to_ctdl, ctid
from ingest.credentials.ctdl.read import read_ctdl

__all__ = ["CTDL_CONTEXT", "credential_to_ctdl", "ctid", "read_ctdl"]
