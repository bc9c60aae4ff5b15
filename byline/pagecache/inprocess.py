"""The WSGI environ of a reader's GET for a page, rendered in this process rather than over a
socket: `byline bake` (bake.Renderer) and the background re-render (refresh.rerender)."""

from __future__ import annotations

import io
import sys

from byline.ops.requestlog import ENVIRON_NOT_A_REQUEST
from byline.pagecache.keys import ENVIRON_GZIP_ONLY, ENVIRON_KEY, PageKey, normal_host


def page_environ(key: PageKey, *, scheme: str, gzip_only: bool = False) -> dict:
    """A plain GET of `key`'s path and query with its host as the Host header, carrying the
    key so that the store's middleware files the render under it; on the key's port if it
    names one, else the scheme's default. `gzip_only`: the entry is stored without a brotli
    body (services.compressed)."""
    # Django reads the host from HTTP_HOST; SERVER_NAME only has to be there (PEP 3333).
    server_name, _port = normal_host(key.host, scheme) or (key.host, "")
    return {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        # WSGI hands the path over as latin-1 text of the raw bytes.
        "PATH_INFO": key.path.encode().decode("latin-1"),
        "QUERY_STRING": key.query,
        "SERVER_NAME": server_name,
        "SERVER_PORT": key.port or ("443" if scheme == "https" else "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": key.host,
        "wsgi.url_scheme": scheme,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
        ENVIRON_KEY: key,
        ENVIRON_NOT_A_REQUEST: True,
        ENVIRON_GZIP_ONLY: gzip_only,
    }
