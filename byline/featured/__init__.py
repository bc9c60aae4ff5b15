"""Featured lists curated by editors."""
