"""Reader URLs that are not pages in the tree: authors and tags."""

from django.urls import path

from byline.blogs import views

app_name = "blogs"

urlpatterns = [
    path("authors/<slug:slug>/", views.author_detail, name="author"),
    path("tags/<slug:slug>/", views.tag_detail, name="tag"),
]
