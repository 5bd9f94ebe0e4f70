"""Signed, verifiable "Proof of Competence" credentials: keys, did:key, Data Integrity proofs.

``eddsa-rdfc-2022`` Data Integrity proofs (W3C *Data Integrity EdDSA Cryptosuites v1.0*) over
JSON-LD canonicalised with pinned contexts (:mod:`graph.jsonld`), Ed25519 keys identified by
``did:key``, and revocation through W3C Bitstring Status Lists.
"""

__all__: list[str] = []
