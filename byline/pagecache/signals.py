"""Signals of the page store that other apps send."""

from django.dispatch import Signal

# Send once something changed that may touch any public page and that no model signal marks,
# e.g. at the end of an import (byline/importers): every stored page is purged once the
# transaction commits. ``site_changed.send(sender=SomeClass, reason="import")``.
site_changed = Signal()
