"""Reader URLs of the search app."""

from django.urls import path

from byline.search import views

app_name = "search"

urlpatterns = [path("search/", views.search, name="search")]
