"""Parents before their children, whatever order the export lists them in (pages, comments)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Hashable
from graphlib import CycleError, TopologicalSorter
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def parents_first(parents: dict[K, K | None], place: Callable[[K], bool]) -> set[K]:
    """Call `place(key)` for each key once its parent stands: parents before children,
    siblings in the order of `parents`. A parent that is not itself a key (None, say)
    stands already. `place` says whether the key now stands; the children of one that does
    not are never placed, nor are the keys of a loop and those below it. Returns the keys
    placed: the caller decides what becomes of the others."""
    order = {key: position for position, key in enumerate(parents)}
    sorter = TopologicalSorter(
        {key: [parent] if parent in order else [] for key, parent in parents.items()}
    )
    # A loop is no error here: graphlib still hands out every key that does not wait on it.
    with contextlib.suppress(CycleError):
        sorter.prepare()
    placed: set[K] = set()
    while ready := sorter.get_ready():
        for key in sorted(ready, key=order.__getitem__):
            if place(key):
                placed.add(key)
                sorter.done(key)
    return placed
