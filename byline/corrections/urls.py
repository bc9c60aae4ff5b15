"""Reader URLs of the corrections app."""

from django.urls import path

from byline.corrections import feeds, views

app_name = "corrections"

urlpatterns = [
    path("corrections/", views.corrections_list, name="list"),
    path("corrections/feed/", feeds.CorrectionsFeed(), name="feed"),
    path("corrections/atom/", feeds.CorrectionsAtomFeed(), name="atom"),
    path("corrections/feed.json", feeds.CorrectionsJsonFeed(), name="json"),
]
