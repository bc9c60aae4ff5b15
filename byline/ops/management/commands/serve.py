"""`byline serve`: granian in front, with the scheduler and the task worker beside it."""

import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from byline.ops.serve import (
    collect_static,
    granian_command,
    helper_commands,
    production_problems,
    static_files_stale,
    stopped_cleanly,
    supervise,
)


class Command(BaseCommand):
    help = (
        "Serve Byline with granian (WSGI, one worker per core) and run the publishing "
        "scheduler and the background task worker, so nothing else needs setting up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.BYLINE_HOST)
        parser.add_argument("--port", type=int, default=settings.BYLINE_PORT)
        parser.add_argument(
            "--workers",
            type=int,
            default=settings.BYLINE_WORKERS or os.cpu_count() or 1,
            help="Worker processes (default: one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=settings.BYLINE_THREADS,
            help="Threads per worker process (default 2; more when the database is remote).",
        )
        parser.add_argument(
            "--max-rss",
            type=int,
            default=settings.BYLINE_WORKER_MAX_RSS_MB,
            metavar="MB",
            help="Replace a worker whose memory stays at or above this many MB (default 0: never).",
        )
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Do not run the scheduler and task worker (another server runs them).",
        )

    def handle(self, *args, host, port, workers, threads, max_rss, no_background, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}")
        if threads < 1:
            raise CommandError(f"--threads (BYLINE_THREADS) must be at least 1, not {threads}")
        if max_rss < 0:
            raise CommandError(
                f"--max-rss (BYLINE_WORKER_MAX_RSS_MB) must be 0 (never) or more, not {max_rss}"
            )
        problems = production_problems()
        if problems:
            raise CommandError(
                "Not starting: this looks like a public deployment (ALLOWED_HOSTS names "
                "public hosts) but it is missing:\n" + "\n".join(f"  - {p}" for p in problems)
            )
        if not settings.DEBUG and static_files_stale():
            self.stdout.write("Collecting static files (missing or older than their sources)")
            try:
                collect_static()
            except OSError as error:
                raise CommandError(
                    f"Could not collect static files into {settings.STATIC_ROOT}: {error}"
                ) from error
        server = granian_command(
            host=host, port=port, workers=workers, threads=threads, max_rss_mb=max_rss
        )
        commands = {"server": server, **helper_commands(background=not no_background)}
        self.stdout.write(
            f"Byline at http://{host}:{port}/ ({workers} workers, {threads} threads each)"
        )
        code = supervise(commands, report=self.stderr.write)
        if not stopped_cleanly(code):
            raise CommandError(f"the server exited with {code}")
