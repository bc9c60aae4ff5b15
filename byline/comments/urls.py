"""Reader URLs of the comments app."""

from django.urls import path  # noqa: F401

app_name = "comments"

urlpatterns: list = []
