"""A first start of several processes at once ends with one secret key."""

import multiprocessing
import os
import secrets
import subprocess
import sys
import time

from byline.core import private_files


def byline_env(var) -> dict:
    """A process with its own var/ and SQLite database there, and no SECRET_KEY set."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "BYLINE_VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'byline.sqlite3'}",
    }
    for name in ("SECRET_KEY", "REDIS_URL", "DATABASE_REPLICA_URL"):
        env.pop(name, None)
    return env


def _race(path, barrier, queue) -> None:
    def slow_new_key() -> str:
        # Long enough that every process has looked for the file before any has saved one:
        # a check-then-write would end with as many keys as processes.
        time.sleep(0.2)
        return secrets.token_urlsafe(50)

    barrier.wait()
    queue.put(private_files.read_or_create(path, make=slow_new_key))


def test_processes_racing_to_make_the_key_all_get_the_first_one_saved(tmp_path):
    context = multiprocessing.get_context("fork")
    count = 8
    barrier, queue = context.Barrier(count), context.Queue()
    (tmp_path / "var").mkdir()
    path = tmp_path / "var" / "secret_key"
    processes = [context.Process(target=_race, args=(path, barrier, queue)) for _ in range(count)]
    for process in processes:
        process.start()
    keys = [queue.get(timeout=30) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    assert len(set(keys)) == 1
    assert keys[0] == path.read_text() and len(keys[0]) > 40
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in path.parent.iterdir()] == ["secret_key"]  # no temporaries


def test_servers_starting_together_on_a_new_machine_share_one_key(tmp_path):
    """What `byline serve` does on a first start: several processes load the settings at once
    on an empty var/ and must all sign with the same key. (Their start is too loose to race
    reliably; the test above is the one that proves the race is won once.)"""
    var = tmp_path / "var"
    script = "import byline.settings as s; print(s.SECRET_KEY)"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=byline_env(var),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert all(process.returncode == 0 for process in processes)
    assert keys == {(var / "secret_key").read_text().strip()}
