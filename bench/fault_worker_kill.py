"""Fault: a granian worker killed with SIGKILL in the middle of a mixed load.

Runs bench/load_mixed.py's load (default 60 s) and, half-way, SIGKILLs one worker process of
the server. Reports the requests that failed and when, whether the server kept serving and
granian replaced the worker, and checks that nothing was corrupted: every accepted comment is
in the database and SQLite's integrity check passes.

    .venv/bin/python bench/fault_worker_kill.py --duration 60
"""

from __future__ import annotations

import os
import signal
import sys
import time

from load_mixed import Site, arguments, print_report, request, run_load


def main() -> int:
    args = arguments(__doc__.splitlines()[0]).parse_args()
    site = Site(database_url=args.database_url, redis_url=args.redis_url, workers=args.workers)
    fault: dict = {}

    def kill_a_worker(site: Site, recorder, started: float) -> None:
        time.sleep(args.duration / 2)
        workers = site.granian_workers()
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        fault["killed_pid"] = victim
        fault["killed_at_s"] = round(time.monotonic() - started, 1)
        fault["workers_before"] = len(workers)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = [pid for pid in site.granian_workers() if pid != victim]
            if len(now) >= len(workers):
                fault["replaced_after_s"] = round(
                    time.monotonic() - started - fault["killed_at_s"], 1
                )
                break
            time.sleep(0.2)

    try:
        site.prepare()
        site.start()
        report = run_load(
            site,
            duration=args.duration,
            readers=args.readers,
            searchers=args.searchers,
            commenters=args.commenters,
            during=kill_a_worker,
        )
        failures = [
            (round(at - report["_recorder"].rows[0][0], 1), kind, status)
            for at, kind, status, _ in report["_recorder"].rows
            if not (isinstance(status, int) and status < 500)
        ]
        fault["failed_requests"] = failures[:20]
        fault["serving_afterwards"] = request(site.port, "GET", "/healthz")[0] == 200
        if not args.database_url:
            code = (
                "from django.db import connection as c; cur=c.cursor(); "
                "cur.execute('PRAGMA integrity_check'); print(cur.fetchone()[0])"
            )
            fault["sqlite_integrity"] = site.manage("shell", "-c", code).stdout.strip()
        report["fault"] = fault
    finally:
        site.cleanup()
    print_report_code = print_report(report)
    # Requests in flight on the killed worker may fail; the server must keep serving.
    return (
        0
        if fault.get("serving_afterwards") and not report["comments"]["lost"]
        else (print_report_code or 1)
    )


if __name__ == "__main__":
    sys.exit(main())
