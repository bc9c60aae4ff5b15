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


def wsgi_get(app, path: str, query: str = ""):
    """Call a WSGI app as a server would, minus the connection closing that Django's test
    client also turns off (it would end the test's transaction)."""
    from io import BytesIO

    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "203.0.113.9",
        "wsgi.input": BytesIO(),
        "wsgi.url_scheme": "http",
        "HTTP_HOST": "localhost",
    }
    status = []
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        body = app(environ, lambda s, h, e=None: status.append(s))
        data = b"".join(body)
        if hasattr(body, "close"):
            body.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return int(status[0].split()[0]), data


@pytest.mark.django_db
def test_the_wsgi_wrapper_logs_once_with_the_bytes_sent(lines):
    from django.core.handlers.wsgi import WSGIHandler

    from byline.ops.requestlog import RequestLogApp

    status, data = wsgi_get(RequestLogApp(WSGIHandler()), "/healthz", "token=query-secret")
    [line] = lines()
    assert (line["status"], line["bytes"], line["path"]) == (status, len(data), "/healthz")
    assert line["client"] == ip_hash("203.0.113.9")
    assert "query-secret" not in json.dumps(line)


@pytest.mark.django_db
def test_the_wsgi_wrapper_hides_path_tokens_too(lines):
    from django.core.handlers.wsgi import WSGIHandler

    from byline.ops.requestlog import RequestLogApp

    wsgi_get(RequestLogApp(WSGIHandler()), "/comments/unsubscribe/abc:1xyz:sig/")
    [line] = lines()
    assert line["path"] == "/comments/unsubscribe/<token>/"


def test_the_wsgi_wrapper_logs_an_answer_django_never_saw(lines, settings):
    from byline.ops.requestlog import RequestLogApp

    def store_hit(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>from the store</p>"]

    wsgi_get(RequestLogApp(store_hit), "/blogs/")
    [line] = lines()
    assert (line["path"], line["status"], line["bytes"]) == ("/blogs/", 200, 21)


def test_a_whole_body_is_logged_at_once_and_passed_on_as_it_is(lines):
    from byline.ops.requestlog import RequestLogApp

    body = [b"<p>from ", b"the store</p>"]
    app = RequestLogApp(lambda environ, start_response: start_response("200 OK", []) or body)
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/blogs/", "REMOTE_ADDR": "203.0.113.9"}
    assert app(environ, lambda *args: None) is body  # the server may still send it in one go
    [line] = lines()
    assert (line["status"], line["bytes"]) == (200, 21)


def test_remembered_address_hashes_follow_the_salt(lines, settings):
    from byline.ops.requestlog import client_hash

    environ = {"REQUEST_METHOD": "GET", "REMOTE_ADDR": "203.0.113.9"}
    settings.BYLINE_IP_HASH_SALT = "one"
    first = client_hash(environ)
    assert client_hash(environ) == first == ip_hash("203.0.113.9")
    settings.BYLINE_IP_HASH_SALT = "two"
    assert client_hash(environ) == ip_hash("203.0.113.9") != first
    settings.BYLINE_TRUSTED_PROXIES = 1
    proxied = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert client_hash(proxied) == ip_hash("198.51.100.4")
