"""Reader search over published posts."""
