"""Credential files of any format read as issuers and credentials.

Start at :func:`~ingest.credentials.reader.read_credential_file`, which parses a file
(:mod:`~ingest.credentials.documents`), recognises the format of its records
(:mod:`~ingest.credentials.formats`) and hands them to the matching reader: the project's own
format (:mod:`~ingest.credentials.own_format`), CTDL (:mod:`~ingest.credentials.ctdl`), Open
Badges 3.0 (:mod:`~ingest.credentials.open_badges`) or ELM (:mod:`~ingest.credentials.elm`).
JSON-LD readers share :mod:`~ingest.credentials.linked_data`; all share
:mod:`~ingest.credentials.values` (language tags, country codes).
"""
