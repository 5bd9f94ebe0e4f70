"""Use cases: each combines the store, the embedder and the algorithms for one user need."""
