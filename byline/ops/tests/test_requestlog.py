"""One JSON line per request: what was asked and answered, and nothing a log should not keep."""

import json
import logging

import pytest

from byline.core.formguard import ip_hash
from byline.ops.requestlog import JsonFormatter


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter())
        self.lines: list[dict] = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


@pytest.fixture
def lines():
    """The request log's lines, formatted as production writes them."""
    logger = logging.getLogger("byline.requests")
    handler = Collect()
    logger.addHandler(handler)
    yield lambda: handler.lines
    logger.removeHandler(handler)


@pytest.mark.django_db
def test_a_request_is_one_json_line_with_its_figures(client, lines):
    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9")
    [line] = lines()
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["bytes"] == len(response.content)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["client"] == ip_hash("203.0.113.9")
    assert line["logger"] == "byline.requests" and line["level"] == "INFO"


@pytest.mark.django_db
def test_no_query_string_cookie_or_address_reaches_the_log(client, lines):
    client.cookies["sessionid"] = "cookie-secret-value"
    client.get("/healthz?token=query-secret-value&q=x", REMOTE_ADDR="203.0.113.9")
    [line] = lines()
    text = json.dumps(line)
    assert line["path"] == "/healthz"
    for secret in ("query-secret-value", "cookie-secret-value", "203.0.113.9"):
        assert secret not in text


@pytest.mark.django_db
def test_a_signed_token_in_the_path_is_logged_by_name(client, lines):
    client.get("/comments/unsubscribe/eyJlIjoiYW5uQGV4YW1wbGUuY29tIn0:1abc:sig/")
    [line] = lines()
    assert line["path"] == "/comments/unsubscribe/<token>/"
    assert line["status"] == 400


@pytest.mark.django_db
def test_not_found_is_logged_with_its_status(client, lines):
    client.get("/no-such-page/")
    [line] = lines()
    assert line["status"] == 404
    assert line["path"] == "/no-such-page/"


def test_other_records_keep_their_message_and_exception():
    formatter = JsonFormatter()
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("job",), sys.exc_info()
        )
    line = json.loads(formatter.format(record))
    assert line["message"] == "failed job"
    assert "ValueError: boom" in line["exception"]
