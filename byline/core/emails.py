"""E-mail addresses as Byline stores and compares them (comments, newsletters)."""

from __future__ import annotations


def normalize_email(email: str) -> str:
    """Stripped and in lower case: one reader is one commenter or subscriber however they
    typed their address this time, and exports and erasure find them by it.

    Never longer than it came: a few letters grow when lower-cased ("İ" is "i" and a
    combining dot), and an address the form had checked against the column's 254 characters
    went past them (PostgreSQL refused the row: a 500). Those letters keep their case."""
    text = (email or "").strip()
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := letter.lower()) == 1 else letter for letter in text)
