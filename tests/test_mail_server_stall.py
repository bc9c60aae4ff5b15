"""A mail server that stops answering costs a send EMAIL_TIMEOUT seconds, never for ever."""

from __future__ import annotations

import os
import smtplib
import socket
import subprocess
import sys
import threading

import pytest
from django.core.mail import EmailMessage, get_connection


def test_the_default_is_a_bound_and_the_environment_sets_it():
    code = "from django.conf import settings as s; print(s.EMAIL_TIMEOUT)"
    for value, expected in [(None, "30"), ("5", "5")]:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "byline.settings"}
        env.pop("EMAIL_TIMEOUT", None)
        if value is not None:
            env["EMAIL_TIMEOUT"] = value
        done = subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == expected


def test_a_server_that_never_answers_fails_the_send(settings):
    """It accepts the connection and says nothing, as a wedged relay does."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    settings.EMAIL_TIMEOUT = 1
    connection = get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host="127.0.0.1",
        port=listener.getsockname()[1],
        fail_silently=False,
    )
    message = EmailMessage("Hi", "Body", "a@example.com", ["b@example.com"])
    try:
        with pytest.raises((TimeoutError, smtplib.SMTPServerDisconnected), match="timed out"):
            connection.send_messages([message])
    finally:
        for peer in accepted:
            peer.close()
        listener.close()
