"""The GraphStore backends: embedded (SQLite + memory) and Neo4j."""
