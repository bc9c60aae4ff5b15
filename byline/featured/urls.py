"""Reader URLs of the featured app."""

from django.urls import path  # noqa: F401

app_name = "featured"

urlpatterns: list = []
