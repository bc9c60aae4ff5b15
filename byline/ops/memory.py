"""A web worker hands the memory it freed back to the system: glibc's malloc_trim, now and then.

glibc keeps what a process frees in its heap for the next allocation and returns only the
top of the heap, so a worker's RSS stays at the high-water mark of its busiest moments: on a
100,000-post site 5-27 MB of a worker's 45-65 MB malloc heap was free at any time
(bench/memory_bench.py --diagnose). malloc_trim(0) gives the free pages back (madvise),
wherever they lie in the heap: 3-13 MB less RSS per worker after memory_bench's 5 minutes,
in two runs side by side with a server that did not trim. It takes 1-4 ms of CPU on such a
heap, so it runs at most once every BYLINE_MALLOC_TRIM_SECONDS, after a response has been sent
(Django's request_finished), never while a reader waits. Where malloc_trim does not exist
(musl, macOS) nothing happens.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable


def find_malloc_trim() -> Callable[[], object] | None:
    """glibc's malloc_trim(0), or None where the C library has none."""
    try:
        function = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return lambda: function(0)


class Trimmer:
    """A request_finished receiver: trims at most once every `every` seconds (0: never)."""

    def __init__(
        self,
        every: float,
        trim: Callable[[], object] | None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.every = every
        self.trim = trim
        self.clock = clock
        self.last = clock()
        self.trims = 0
        self._lock = threading.Lock()

    def __call__(self, **kwargs: object) -> None:
        if self.trim is None or self.every <= 0 or self.clock() - self.last < self.every:
            return
        # One thread trims; the others, finishing at the same moment, need not wait for it.
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self.clock() - self.last < self.every:
                return
            self.trim()
            self.trims += 1
            self.last = self.clock()
        finally:
            self._lock.release()


trimmer: Trimmer | None = None


def connect() -> None:
    """Trim after responses, every BYLINE_MALLOC_TRIM_SECONDS (0 turns it off)."""
    global trimmer
    from django.conf import settings
    from django.core.signals import request_finished

    every = settings.BYLINE_MALLOC_TRIM_SECONDS
    if every <= 0:
        return
    trimmer = Trimmer(every, find_malloc_trim())
    request_finished.connect(trimmer, weak=False, dispatch_uid="byline.ops.malloc_trim")
