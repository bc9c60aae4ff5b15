"""Reader URLs of the importers app."""

from django.urls import path  # noqa: F401

app_name = "importers"

urlpatterns: list = []
