"""A web worker freezes what it loaded out of the cyclic collector's walks, twice and no more."""

import json
import os
import subprocess
import sys

from byline.ops.collector import FreezeAfter

WORKER = """
import gc, json
from django.core.signals import request_finished
import byline.wsgi
from byline.ops import collector
loaded = gc.get_freeze_count()
for _ in range(3):
    request_finished.send(sender=None)
print(json.dumps([loaded, gc.get_freeze_count(), bool(collector.after_warmup)]))
"""


def worker_freezes(tmp_path, **environ: str) -> list:
    """[objects frozen once byline.wsgi is loaded, frozen after three responses, whether a
    second freeze was waiting] in a fresh process loading Byline as a web worker does."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "byline.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "BYLINE_VAR_DIR": str(tmp_path),
        **environ,
    }
    result = subprocess.run(
        [sys.executable, "-c", WORKER], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_web_worker_freezes_its_imports_and_again_after_warming_up(tmp_path):
    loaded, later, waiting = worker_freezes(tmp_path, BYLINE_GC_FREEZE_AFTER="2")
    # Django, Wagtail and the URLconf: tens of thousands of objects.
    assert loaded > 50_000
    # The second freeze, after two responses, took what they left behind.
    assert later > loaded
    assert waiting


def test_freezing_can_be_turned_off(tmp_path):
    assert worker_freezes(tmp_path, BYLINE_GC_FREEZE_AFTER="0") == [0, 0, False]


def test_the_second_freeze_happens_once_after_so_many_responses():
    frozen = []
    receiver = FreezeAfter(3, freeze=lambda: frozen.append(True))
    for _ in range(2):
        receiver()
    assert frozen == []
    for _ in range(5):
        receiver()
    assert frozen == [True]


def test_no_second_freeze_when_set_to_none():
    frozen = []
    receiver = FreezeAfter(0, freeze=lambda: frozen.append(True))
    for _ in range(3):
        receiver()
    assert frozen == []
