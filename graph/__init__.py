"""The core of credwalk: domain model, store contract, backends, algorithms, services."""
