"""Fault: PostgreSQL restarted in the middle of a mixed load.

By default this makes a private PostgreSQL cluster on a free port (pg_createcluster, as root),
so restarting it disturbs nobody else's database; --cluster VERSION/NAME restarts an existing
one instead (pg_ctlcluster). A third of the way into the load the cluster is stopped (fast
shutdown), kept down for --down seconds, and started again. The report says when requests
failed: only while the database was down (plus the moments a pooled connection takes to
notice), recovery after, and every comment the server accepted is in the database.

    .venv/bin/python bench/fault_postgres_restart.py --duration 60 --redis-url redis://127.0.0.1:6379/9
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path

from load_mixed import Site, arguments, free_port, print_report, run_load


def make_cluster() -> tuple[str, str, int]:
    version = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1]
    name = f"byline_fault_{uuid.uuid4().hex[:6]}"
    port = free_port()
    subprocess.run(
        [
            "pg_createcluster",
            version,
            name,
            "--port",
            str(port),
            "--",
            "--auth-host=trust",
            "--auth-local=trust",
        ],
        check=True,
        capture_output=True,
    )
    ctl(version, name, "start")
    return version, name, port


def ctl(version: str, name: str, action: str, *extra: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, action, *extra],
        check=True,
        capture_output=True,
    )


def main() -> int:
    parser = arguments(__doc__.splitlines()[0])
    parser.add_argument("--down", type=float, default=5, help="seconds the database is down")
    parser.add_argument("--cluster", default="", help="VERSION/NAME of an existing cluster")
    args = parser.parse_args()
    made = not args.cluster
    if made:
        version, name, port = make_cluster()
        database_url = f"postgres://postgres@127.0.0.1:{port}/postgres"
    else:
        version, name = args.cluster.split("/")
        database_url = args.database_url or "postgres://postgres@127.0.0.1:5432/postgres"
    fault: dict = {}

    def restart(site: Site, recorder, started: float) -> None:
        time.sleep(args.duration / 3)
        fault["stop_at_s"] = round(time.monotonic() - started, 1)
        ctl(version, name, "stop", "-m", "fast")
        time.sleep(args.down)
        ctl(version, name, "start")
        fault["started_at_s"] = round(time.monotonic() - started, 1)

    site = Site(database_url=database_url, redis_url=args.redis_url, workers=args.workers)
    try:
        site.prepare()
        site.start()
        report = run_load(
            site,
            duration=args.duration,
            readers=args.readers,
            searchers=args.searchers,
            commenters=args.commenters,
            during=restart,
        )
        rows = report["_recorder"].rows
        start = rows[0][0] - 0.5 if rows else 0
        failed = [
            (round(at - start, 1), kind, status)
            for at, kind, status, _ in rows
            if not (isinstance(status, int) and status < 500)
        ]
        fault["failed_requests"] = len(failed)
        fault["first_failure_s"] = failed[0][0] if failed else None
        fault["last_failure_s"] = failed[-1][0] if failed else None
        grace = 3.0  # a request started just before the restart ends just after it
        fault["failures_outside_the_down_window"] = [
            row
            for row in failed
            if not fault["stop_at_s"] - 0.5 <= row[0] <= fault["started_at_s"] + grace
        ][:20]
        after = [row for row in rows if row[0] - start > fault["started_at_s"] + grace]
        fault["requests_after_recovery"] = len(after)
        fault["ok_after_recovery"] = sum(
            1 for row in after if isinstance(row[2], int) and row[2] < 500
        )
        report["fault"] = fault
    finally:
        site.cleanup()
        if made:
            subprocess.run(
                ["pg_dropcluster", "--stop", version, name], check=False, capture_output=True
            )
    # 5xx while the database is down are expected; outside that window they are a failure.
    print_report(report)
    ok = not fault["failures_outside_the_down_window"] and not report["comments"]["lost"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
