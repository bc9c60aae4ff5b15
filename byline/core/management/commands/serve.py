"""`byline serve`: granian in front, with the scheduler and the task worker beside it."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


def production_problems() -> list[str]:
    """What a deployment that serves public host names is missing; nothing for a local run."""
    if not set(settings.ALLOWED_HOSTS) - LOCAL_HOSTS:
        return []
    problems = []
    if not os.environ.get("SECRET_KEY"):
        problems.append(
            "SECRET_KEY: set a long random value (the same on every app server); the key "
            "generated under var/ is for local use only"
        )
    if settings.DEBUG:
        problems.append("BYLINE_DEBUG: set it to 0; debug pages leak settings and code")
    if "*" in settings.ALLOWED_HOSTS:
        problems.append("ALLOWED_HOSTS: name your host names instead of '*'")
    if not settings.BYLINE_HTTPS and not os.environ.get("BYLINE_ALLOW_PLAIN_HTTP"):
        problems.append(
            "BYLINE_HTTPS=1: serve readers over TLS (secure cookies, HSTS, redirect); "
            "set BYLINE_ALLOW_PLAIN_HTTP=1 only on a private network"
        )
    return problems


def granian_command(*, host: str, port: int, workers: int, threads: int) -> list[str]:
    """The granian command line `serve` runs: WSGI, `workers` processes of `threads` threads."""
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        # granian's default is hundreds of threads per worker; under a spike they contend for
        # Python's lock and the slowest answers wait longest (bench/RESULTS.md, page store).
        "--blocking-threads",
        str(threads),
        "--respawn-failed-workers",
        "--no-ws",
        "byline.wsgi:application",
    ]


def helper_commands(*, background: bool) -> dict[str, list[str]]:
    """What `serve` runs beside granian: the scheduler and the task worker (unless another
    server runs them), and the sweeper of the page store's files, which are this box's own."""
    byline = [sys.executable, "-m", "byline.cli"]
    commands = {}
    if background:
        commands["scheduler"] = [*byline, "scheduler"]
        commands["tasks"] = [*byline, "db_worker", "--queue-name", "*", "--interval", "1"]
    interval = settings.BYLINE_PAGECACHE_SWEEP_INTERVAL
    # Redis expires pages itself.
    if settings.BYLINE_PAGECACHE and not settings.BYLINE_PAGECACHE_REDIS_URL and interval > 0:
        commands["pagecache"] = [*byline, "pagecache_sweep", "--every", str(interval)]
    return commands


class Command(BaseCommand):
    help = (
        "Serve Byline with granian (WSGI, one worker per core) and run the publishing "
        "scheduler and the background task worker, so nothing else needs setting up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("BYLINE_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("BYLINE_WORKERS", "0")) or os.cpu_count() or 1,
            help="Worker processes (default: one per core).",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=os.environ.get("BYLINE_THREADS", "4"),  # a string: argparse checks it too
            help="Threads per worker process (default 4; more when the database is remote).",
        )
        parser.add_argument(
            "--no-background",
            action="store_true",
            help="Do not run the scheduler and task worker (another server runs them).",
        )

    def handle(self, *args, host, port, workers, threads, no_background, **options):
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if workers < 1:
            raise CommandError(f"--workers must be at least 1, not {workers}")
        if threads < 1:
            raise CommandError(f"--threads (BYLINE_THREADS) must be at least 1, not {threads}")
        problems = production_problems()
        if problems:
            raise CommandError(
                "Not starting: this looks like a public deployment (ALLOWED_HOSTS names "
                "public hosts) but it is missing:\n" + "\n".join(f"  - {p}" for p in problems)
            )
        manifest = settings.STATIC_ROOT / "staticfiles.json"
        if not settings.DEBUG and not manifest.exists():
            raise CommandError(
                f"Static files are not collected ({manifest} is missing): "
                "run `byline collectstatic --noinput` first."
            )
        server = granian_command(host=host, port=port, workers=workers, threads=threads)
        commands = {"server": server, **helper_commands(background=not no_background)}
        self.stdout.write(
            f"Byline at http://{host}:{port}/ ({workers} workers, {threads} threads each)"
        )
        self.supervise(commands)

    def supervise(self, commands: dict[str, list[str]]) -> None:
        """Run every command; restart the helpers if they die; stop all when the server
        stops or on SIGINT/SIGTERM."""
        children = {name: subprocess.Popen(argv) for name, argv in commands.items()}
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while not stopping:
                time.sleep(0.5)
                for name, child in list(children.items()):
                    if child.poll() is None:
                        continue
                    if name == "server":
                        stopping = True
                        break
                    self.stderr.write(f"{name} exited with {child.returncode}; restarting it")
                    children[name] = subprocess.Popen(commands[name])
        finally:
            for child in children.values():
                if child.poll() is None:
                    child.terminate()
            for child in children.values():
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
        code = children["server"].returncode
        if code not in (0, None, -signal.SIGTERM, -signal.SIGINT):
            raise CommandError(f"the server exited with {code}")
