"""A free TCP port on loopback, for tests that start real servers (granian, SMTP, nginx)."""

import socket


def free_port() -> int:
    """A port nothing listens on now. Another process could take it before the caller binds
    it; the servers tests start bind at once, and none has failed for it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
