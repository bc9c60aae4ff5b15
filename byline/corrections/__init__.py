"""Corrections, clarifications and updates that editors attach to published posts."""
