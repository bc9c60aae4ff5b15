"""Benchmark of the featured app: rendition generation time, and what the Featured list adds
to rendering a page.

Run: .venv/bin/python bench/featured_bench.py [--repeat 200]

It builds a throwaway site (SQLite under a temporary BYLINE_VAR_DIR) with the reference
content, then measures:
1. generating every rendition a preset needs for one fresh image, per output format
   (AVIF, WebP, JPEG), for the Featured card (3 widths, 1200×675 original) and a post body
   image (4 widths, 2400×1350 original);
2. rendering the home page and the reference post through Django's test client, with the
   reference's four-item Featured list and with no list (renditions already made), median of
   --repeat requests each, and the queries each costs;
3. rendering the Featured aside alone (its queries and template) for the reference post.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["BYLINE_VAR_DIR"] = tempfile.mkdtemp(prefix="byline-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
os.environ.setdefault("BYLINE_TASKS_IMMEDIATE", "1")
# Measure rendering, not the page store that spares readers from it.
os.environ["BYLINE_PAGECACHE"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.images import ImageFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from PIL import Image as PILImage  # noqa: E402
from wagtail.images import get_image_model  # noqa: E402

from byline.blogs.models import PostPage  # noqa: E402
from byline.demo.images import DRAWINGS  # noqa: E402
from byline.featured.models import FeaturedList  # noqa: E402
from byline.images.presets import PRESETS, _size_spec, _widths_for  # noqa: E402

POST_URL = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"


def fresh_image(width: int, height: int):
    drawing = DRAWINGS[1]().resize((width, height))
    buffer = io.BytesIO()
    drawing.save(buffer, "JPEG", quality=88)
    image = get_image_model()(title="bench", file=ImageFile(buffer, name="bench.jpg"))
    image._set_image_file_metadata()
    image.save()
    return image


def rendition_times(preset_name: str, width: int, height: int, rounds: int) -> dict[str, float]:
    preset = PRESETS[preset_name]
    results = {}
    for fmt in ("avif", "webp", "jpeg"):
        samples = []
        for _ in range(rounds):
            image = fresh_image(width, height)
            specs = [f"{_size_spec(preset, w)}|format-{fmt}" for w in _widths_for(preset, image)]
            started = time.perf_counter()
            for spec in specs:  # one by one, as the first page view would, without threads
                image.get_rendition(spec)
            samples.append(time.perf_counter() - started)
            image.delete()
        results[fmt] = statistics.median(samples) * 1000
    return results


def page_times(client: Client, url: str, repeat: int) -> tuple[float, int]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return statistics.median(samples) * 1000, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="0 skips rendition timing")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("byline.requests").setLevel(logging.WARNING)  # one line per request
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("demo", verbosity=0)
    print(f"Pillow {PILImage.__version__}, {settings.BYLINE_IMAGES_AVIF=}")

    if args.rounds:
        print("\n1. Rendition generation, one fresh image, all widths of a preset (median ms)")
        for preset_name, size in (("card", (1200, 675)), ("body", (2400, 1350))):
            widths = PRESETS[preset_name].widths
            times = rendition_times(preset_name, *size, args.rounds)
            cells = ", ".join(f"{fmt} {ms:.0f}" for fmt, ms in times.items())
            print(f"   {preset_name} {size[0]}x{size[1]} -> widths {widths}: {cells}")

    print(f"\n2. Page render through the test client (median of {args.repeat}, ms; queries)")
    client = Client()
    with_list = {url: page_times(client, url, args.repeat) for url in ("/", POST_URL)}
    print(f"\n3. featured_aside.html alone for the reference post (median of {args.repeat}, ms)")
    post = PostPage.objects.get(slug=POST_URL.rstrip("/").rsplit("/", 1)[1])
    request = RequestFactory().get(POST_URL)
    template = get_template("featured/includes/featured_aside.html")
    template.render({"page": post, "request": request})
    samples = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        html = template.render({"page": post, "request": request})
        samples.append(time.perf_counter() - started)
    print(f"   {statistics.median(samples) * 1000:.2f} ms for {html.count('<picture>')} cards")

    featured = FeaturedList.objects.get(blog__isnull=True)
    featured.items.all().delete()
    without = {url: page_times(client, url, args.repeat) for url in ("/", POST_URL)}
    for url in ("/", POST_URL):
        (on_ms, on_q), (off_ms, off_q) = with_list[url], without[url]
        print(
            f"   {url}: with list {on_ms:.2f} ms / {on_q} q, without {off_ms:.2f} ms / "
            f"{off_q} q, list adds {on_ms - off_ms:.2f} ms and {on_q - off_q} queries"
        )


if __name__ == "__main__":
    main()
