"""Reader URLs that are not pages in the tree: authors and tags."""

from django.urls import path

from byline.blogs import views

app_name = "blogs"

urlpatterns = [
    path("authors/<uslug:slug>/", views.author_detail, name="author"),
    path("tags/<uslug:slug>/", views.tag_detail, name="tag"),
]
