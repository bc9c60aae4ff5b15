"""Signals other apps listen to (the page store purges a post and its feeds on this one)."""

from django.dispatch import Signal

# Sent with `post` (a PostPage) whenever what readers see of its comments changes: a comment
# approved, edited while approved, or taken away.
comments_changed = Signal()
