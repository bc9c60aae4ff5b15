"""Room on Python's frame stack for deep, repeated work (a bake's renders), against a CPython
3.11 and 3.12 cost.

CPython keeps its frames in chunks of 16 kB, allocated with mmap when a call needs more and
unmapped as soon as the call returns (gh-142183; the 3.13 and 3.14 lines keep one spare chunk
since spring 2026). Work that keeps calling and returning across the end of a chunk, as template
rendering does when its base happens to sit a little below one, maps, faults in and unmaps
fresh memory for every crossing: in a bake's worker process that was 120 page faults a page
and about a tenth of its CPU time (bench/RESULTS.md, 2026-12-05).

`in_roomy_frame(call)` runs `call()` from a frame that holds 64 kB of locals it never uses:
a frame that large takes a fresh 128 kB chunk of its own, so the calls under it have some
60 kB of room before they reach the next chunk's edge, whatever depth the caller was at.
That chunk is mapped once per `in_roomy_frame` call, so call it around many renders, not
each one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# 8,192 locals of 8 bytes: the frame needs 64 kB, so CPython gives it a 128 kB chunk.
ROOM_LOCALS = 8192


def _make_roomy() -> Callable[[Callable[[], T]], T]:
    # The names are locals because they are assigned; the assignment never runs (and is
    # compiled away), so a call costs the frame's set-up only.
    names = " = ".join(f"_{index}" for index in range(ROOM_LOCALS))
    source = (
        f"def in_roomy_frame(call):\n    if False:\n        {names} = None\n    return call()\n"
    )
    namespace: dict = {}
    exec(compile(source, __file__, "exec"), namespace)  # noqa: S102 -- fixed source, above
    return namespace["in_roomy_frame"]


in_roomy_frame: Callable[[Callable[[], T]], T] = _make_roomy()
in_roomy_frame.__doc__ = "`call()`, from a frame with room for deep calls under it."
