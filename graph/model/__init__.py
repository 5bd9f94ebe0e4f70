"""The domain model: frozen value objects every layer exchanges, and their document forms.

One module per part of the domain (``concepts``, ``credentials``, ``learners``, ``submissions``,
``imports``), its document form beside it (``<part>_documents``: the JSON a store keeps and the
project's own file formats). Nothing here does I/O or imports another part of credwalk except
:mod:`graph.errors`.
"""
