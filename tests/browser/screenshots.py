"""`make screenshots`: build a demo site in a temporary folder, serve it with `byline serve`,
and save full-page PNGs of its main reader pages at 1280 and 390 px wide (and the post in dark
mode) in docs/screenshots/.

    python -m tests.browser.screenshots [OUTPUT_DIR]

The site is the reference content plus what tests/browser/reader_site.py adds (a columnist's
photo, a comment thread, a correction, standard pages): what the accessibility test checks.
Nothing of the developer's own site (var/) is read or written: the database, media, static
files and page store live in the temporary folder, and the server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.ports import free_port

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("BYLINE_CHROMIUM", "/usr/bin/chromium")
# File suffix: (viewport width, height, colour scheme).
VIEWS = {
    "1280": (1280, 900, "light"),
    "390": (390, 844, "light"),
    "390-dark": (390, 844, "dark"),
}
# (file name, path): the pages the README shows.
PAGES = [
    ("post", "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"),
    ("blog-front", "/blogs/bekkers-blog/"),
    ("home", "/"),
    ("search", "/search/?q=Microsoft+partners"),
    ("not-found", "/no-such-page/"),
]
# Full pages, but not endless ones: a phone's view of a long post is cut here.
MAX_HEIGHT = 4200


def build_site(env: dict[str, str]) -> None:
    """Migrate the temporary database and load the site, in this process (Django set up on
    the temporary folder), then make the image renditions the pages will ask for and run the
    tasks the build queued."""
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from wagtail.images import get_image_model

    from byline.images.presets import PRESETS
    from byline.images.tasks import warm_renditions
    from tests.browser.reader_site import build_reader_site

    call_command("migrate", verbosity=0)
    build_reader_site()
    image_ids = list(get_image_model().objects.values_list("pk", flat=True))
    warm_renditions.call(image_ids=image_ids, preset_names=list(PRESETS))
    # Run what the build queued (the search index above all) before the server starts: left
    # to the server's worker, it was still running when the search page was shot, which then
    # showed fewer results than the site has.
    call_command("db_worker", "--queue-name", "*", "--batch", "--no-startup-delay", verbosity=0)


def wait_until_up(url: str, server: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"byline serve stopped (exit status {server.returncode})")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"byline serve did not answer within {seconds:.0f} s")


def save_small(png: bytes, path: Path) -> int:
    """Save as a palette PNG (256 colours): a page of text and a few pictures stays legible at
    a fraction of the size of the browser's true-colour file."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
    return path.stat().st_size


def take(url: str, out: Path) -> list[tuple[str, int]]:
    from playwright.sync_api import sync_playwright

    saved = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        for suffix, (width, height, scheme) in VIEWS.items():
            context = browser.new_context(
                viewport={"width": width, "height": height}, color_scheme=scheme
            )
            page = context.new_page()
            for name, path in PAGES if scheme == "light" else PAGES[:1]:
                page.goto(f"{url}{path}", wait_until="networkidle")
                # Lazy images below the fold load before the shot is taken.
                page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
                page.wait_for_load_state("networkidle")
                page.evaluate("() => window.scrollTo(0, 0)")
                full = page.evaluate("() => document.documentElement.scrollHeight")
                clip = {"x": 0, "y": 0, "width": width, "height": min(full, MAX_HEIGHT)}
                png = page.screenshot(full_page=True, clip=clip)
                target = out / f"{name}-{suffix}.png"
                saved.append((target.name, save_small(png, target)))
            context.close()
        browser.close()
    return saved


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else REPO / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    port = str(free_port())
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="byline-screenshots-") as var:
        env = {
            "BYLINE_VAR_DIR": var,
            "PORT": port,
            "BYLINE_BASE_URL": url,
            "BYLINE_LOG_LEVEL": "WARNING",
        }
        # The temporary SQLite database and the local cache, whatever this shell points at.
        for name in ("DATABASE_URL", "REDIS_URL", "BYLINE_PAGECACHE_REDIS_URL", "MEDIA_ROOT"):
            os.environ.pop(name, None)
        build_site(env)
        server = subprocess.Popen(
            [sys.executable, "-m", "byline.cli", "serve", "--host", "127.0.0.1", "--port", port],
            env={**os.environ, **env},
            cwd=REPO,
        )
        try:
            wait_until_up(url, server)
            saved = take(url, out)
        finally:
            server.terminate()
            server.wait(timeout=30)
    for name, size in saved:
        print(f"{out / name}  {size // 1024} KiB")


if __name__ == "__main__":
    main(sys.argv[1:])
