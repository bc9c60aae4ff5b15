"""Signals any app may send or hear, so that the apps built on others never need importing."""

from django.dispatch import Signal

# Send once something changed that may touch any public page and that no model signal marks,
# e.g. at the end of an import (byline/importers) or of `byline demo --posts`: listing counts
# start afresh and the page store purges every page once the transaction commits.
# ``site_changed.send(sender=SomeClass, reason="import")``.
site_changed = Signal()
