"""Reader URLs of the feeds app."""

from django.urls import path  # noqa: F401

app_name = "feeds"

urlpatterns: list = []
