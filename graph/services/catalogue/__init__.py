"""The issuer's catalogue: issuers and credentials stored, mapped to ESCO, decided, exported."""
