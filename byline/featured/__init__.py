"""Featured lists curated by editors, and responsive image markup."""
