"""Where a granian worker's memory goes, written every few seconds (memory_bench.py --diagnose).

Loaded by Python at start-up when this directory is on PYTHONPATH, and only then: with
BYLINE_MEMDIAG_DIR set, each process granian forks (a web worker) starts a thread that appends
one JSON line every BYLINE_MEMDIAG_EVERY seconds (15) to <dir>/<pid>.jsonl: its RSS (anonymous
and file-backed), glibc's heap (mallinfo2: in use, free inside it), SQLite's own allocations
(sqlite3_memory_used: page caches, schemas, statements), the objects the collector tracks, and
the pieces byline.core.frame remembers (how many; the per-page ones' pickled size by kind).
Investigation only: nothing of it is in the application.
"""

import ctypes
import gc
import json
import os
import pickle
import sys
import threading
import time
from collections import defaultdict

DIRECTORY = os.environ.get("BYLINE_MEMDIAG_DIR")
EVERY = float(os.environ.get("BYLINE_MEMDIAG_EVERY", "15"))


class _Mallinfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",
            "usmblks",
            "fsmblks",
            "uordblks",
            "fordblks",
            "keepcost",
        )
    ]


def _mb(n: float) -> float:
    return round(n / 2**20, 1)


def _status() -> dict:
    wanted = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb"}
    row = {}
    with open(f"/proc/{os.getpid()}/status") as file:
        for line in file:
            name, _, value = line.partition(":")
            if name in wanted:
                row[wanted[name]] = _mb(int(value.split()[0]) * 1024)
            elif name == "Threads":
                row["threads"] = int(value)
    return row


def _frame() -> dict:
    frame = sys.modules.get("byline.core.frame")
    if frame is None:
        return {}
    with frame._lock:
        pieces, per_page = len(frame._pieces), list(frame._per_page.items())
    sizes = defaultdict(lambda: [0, 0])
    for key, held in per_page:
        kind = str(key[0]) if isinstance(key, tuple) and key else type(key).__name__
        try:
            size = len(pickle.dumps(held[0], protocol=5))
        except Exception:  # noqa: BLE001 (something that does not pickle: counted, not sized)
            size = 0
        sizes[kind][0] += 1
        sizes[kind][1] += size
    return {
        "frame_pieces": pieces,
        "frame_per_page": len(per_page),
        "frame_per_page_pickled_kb": sum(size for _, size in sizes.values()) // 1024,
        "frame_per_page_by_kind": {kind: n for kind, (n, _) in sizes.items()},
    }


def _report() -> None:
    libc = ctypes.CDLL(None)
    mallinfo2 = getattr(libc, "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = _Mallinfo2
    try:
        sqlite = ctypes.CDLL("libsqlite3.so.0")
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    except OSError:
        sqlite = None
    path = os.path.join(DIRECTORY, f"{os.getpid()}.jsonl")
    started = time.monotonic()
    while True:
        time.sleep(EVERY)
        row = {"t": round(time.monotonic() - started), **_status()}
        try:
            if mallinfo2 is not None:
                info = mallinfo2()
                row["malloc_heap_mb"] = _mb(info.arena)
                row["malloc_used_mb"] = _mb(info.uordblks)
                row["malloc_free_mb"] = _mb(info.fordblks)
                row["malloc_mmapped_mb"] = _mb(info.hblkhd)
            if sqlite is not None:
                row["sqlite_mb"] = _mb(sqlite.sqlite3_memory_used())
            row["gc_objects"] = len(gc.get_objects())
            row["modules"] = len(sys.modules)
            row.update(_frame())
            trimmer = getattr(sys.modules.get("byline.ops.memory"), "trimmer", None)
            if trimmer is not None:
                row["malloc_trims"] = trimmer.trims
        except Exception as error:  # noqa: BLE001
            row["error"] = repr(error)
        with open(path, "a") as file:
            file.write(json.dumps(row) + "\n")


def _in_worker() -> None:
    threading.Thread(target=_report, name="memdiag", daemon=True).start()


if DIRECTORY and sys.orig_argv[1:3] == ["-m", "granian"]:
    os.register_at_fork(after_in_child=_in_worker)
