"""A web worker keeps Python's cyclic garbage collector off the objects that live as long as it.

A full collection walks every object the collector tracks. In a worker that is mostly what
its imports and first renders made and never free: Django, Wagtail, the URLconf, compiled
templates (about 165,000 objects on the reference site). On a loaded 2-core machine one full
collection held a warm worker's render for 130-190 ms (0.8 s in a first probe), and every
thread of the worker with it; with those objects frozen, 10-55 ms (bench/gc_pauses.py).
`gc.freeze()` moves every object alive at that moment into a generation the collector never
walks (Instagram's remedy for the same pauses). Objects freed later by reference counting are
freed as ever; only reference cycles among frozen objects would never be reclaimed, which is
why the freeze happens twice only: when the application is loaded, and once more after the
first BYLINE_GC_FREEZE_AFTER responses, when templates and per-process caches are warm.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable


def freeze() -> int:
    """Collect what is garbage now, then take everything left out of the collector's walks.
    Returns how many objects are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def warm_urlconf() -> None:
    """Import the URLconf and build its reverse index: a worker does it on its first request
    anyway, and what it makes lives as long as the worker."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 (the property builds the index)


class FreezeAfter:
    """A request_finished receiver that freezes once, after `responses` responses (0: never)."""

    def __init__(self, responses: int, freeze: Callable[[], object] = freeze):
        self.remaining = responses
        self.freeze = freeze
        self.done = responses <= 0
        self._lock = threading.Lock()

    def __call__(self, **kwargs: object) -> None:
        if self.done:
            return
        with self._lock:
            if self.done:
                return
            self.remaining -= 1
            if self.remaining > 0:
                return
            self.done = True
        self.freeze()


after_warmup: FreezeAfter | None = None


def connect() -> None:
    """Freeze now and once more after BYLINE_GC_FREEZE_AFTER responses (0: neither)."""
    global after_warmup
    from django.conf import settings
    from django.core.signals import request_finished

    responses = settings.BYLINE_GC_FREEZE_AFTER
    if responses <= 0:
        return
    warm_urlconf()
    freeze()
    after_warmup = FreezeAfter(responses)
    request_finished.connect(after_warmup, weak=False, dispatch_uid="byline.ops.gc_freeze")
