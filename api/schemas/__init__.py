"""Request and response schemas, one module per resource: where domain objects become JSON.

The CLI's ``--json`` output uses the same schemas, so the HTTP API and the CLI agree field for
field (the field names in DESIGN.md are fixed; more may be added).
"""
