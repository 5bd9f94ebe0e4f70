"""A member's career over time: competences from every source, targets, what was earned."""
