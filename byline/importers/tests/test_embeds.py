"""Embeds are asked of their provider once per import, over real HTTP to a local provider:
the ones that answer are not reported, the others are, and with no provider answering at
all the import stops asking after a few tries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from wagtail.embeds.finders import get_finders

from byline.importers.embeds import GIVE_UP_AFTER, EmbedCheck


class Provider(BaseHTTPRequestHandler):
    """An oEmbed endpoint that knows one video."""

    def do_GET(self):  # noqa: N802 - the name http.server calls
        asked = parse_qs(urlsplit(self.path).query).get("url", [""])[0]
        if asked.endswith("/known"):
            body = json.dumps({"type": "video", "html": "<iframe></iframe>", "version": "1.0"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
        else:
            self.send_error(404)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.WAGTAILEMBEDS_FINDERS = [
        {
            "class": "wagtail.embeds.finders.oembed",
            "providers": [
                {
                    "endpoint": f"http://127.0.0.1:{server.server_port}/oembed",
                    "urls": [r"^https://video\.example/.+$"],
                },
                {"endpoint": "http://127.0.0.1:9/oembed", "urls": [r"^https://down\.example/.+$"]},
            ],
        }
    ]
    get_finders.cache_clear()
    yield
    get_finders.cache_clear()
    server.shutdown()


def test_only_the_embeds_whose_provider_does_not_answer_are_reported(provider):
    check = EmbedCheck()
    notes = check.notes_for(
        ["https://video.example/known", "https://video.example/deleted", "https://other.example/x"]
    )
    assert notes == [
        "embed https://video.example/deleted: the provider did not answer; it shows as a link "
        "to that address",
        "embed https://other.example/x: the provider did not answer; it shows as a link to "
        "that address",
    ]
    assert check.summary() == []


def test_with_no_provider_answering_the_import_stops_asking(provider):
    check = EmbedCheck()
    urls = [f"https://down.example/{n}" for n in range(GIVE_UP_AFTER + 4)]
    notes = check.notes_for(urls)
    assert len(notes) == GIVE_UP_AFTER
    assert check.not_asked == 4 and "4 more embeds were not looked up" in check.summary()[0]
