"""The Assembly: questions and answers attached to graph nodes, and their moderation."""
