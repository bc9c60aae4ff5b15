"""Helpers used by two or more apps: pagination, the publication context; no feature logic."""
