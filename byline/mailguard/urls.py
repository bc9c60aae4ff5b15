"""Reader URLs of the mailguard app."""

from django.urls import path  # noqa: F401

app_name = "mailguard"

urlpatterns: list = []
