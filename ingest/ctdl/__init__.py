"""CTDL / CTDL-ASN JSON-LD (Credential Engine) read as linked data, and written.

Credentials, learning opportunities, organisations and competency frameworks are read;
credentials are written back as CTDL. The public names are re-exported here, so importers use
``from ingest.ctdl import read_ctdl, credential_to_ctdl``.

Where things are:

- :mod:`~ingest.ctdl.read`: :func:`read_ctdl`, which walks a file's records and collects what
  they describe (start here);
- :mod:`~ingest.ctdl.stand_in`: preparing records for the local stand-in of the CTDL context,
  and why there is one;
- :mod:`~ingest.ctdl.nodes`: the per-record context and accessors on flattened nodes;
- :mod:`~ingest.ctdl.credentials`: credential, learning-opportunity and organisation nodes to
  :class:`~graph.model.credentials.Credential` and :class:`~graph.model.credentials.Issuer`;
- :mod:`~ingest.ctdl.frameworks`: CTDL-ASN frameworks and competencies to a concept scheme and
  skill concepts;
- :mod:`~ingest.ctdl.export`: :func:`credential_to_ctdl` and :func:`ctid`;
- :mod:`~ingest.ctdl.terms`: namespaces, the published context URL and the CTDL classes both
  directions share.

Names with a leading underscore are internal to this package: its modules share them, nothing
outside should import them.
"""

from __future__ import annotations

from ingest.ctdl.export import credential_to_ctdl, ctid
from ingest.ctdl.read import read_ctdl
from ingest.ctdl.terms import CTDL_CONTEXT

__all__ = ["CTDL_CONTEXT", "credential_to_ctdl", "ctid", "read_ctdl"]
