"""One module per resource; each holds a thin router over graph.services."""
