"""Frameworks read as concepts and relations: the ESCO CSV pack and the O*NET text files.

Each reader returns a :class:`~graph.model.imports.ConceptImport`; reading delimited files
strictly, with errors that name the file, line and column, is :mod:`~ingest.frameworks.tabular`.
"""
