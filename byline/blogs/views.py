"""Author and tag pages: lists of posts that cut across blogs."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from taggit.models import Tag

from byline.blogs.models import Author, PostPage
from byline.core.pagination import paginate


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    posts = PostPage.objects.published().filter(post_authors__author=author).for_listing()
    page = paginate(request, posts)
    return TemplateResponse(
        request,
        "blogs/author_detail.html",
        {"author": author, "posts": page, "page_obj": page},
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    posts = PostPage.objects.published().filter(tags=tag).for_listing()
    page = paginate(request, posts)
    if not page.object_list:
        # A tag with no published post is not a page a reader can reach.
        raise Http404("No posts with that tag")
    return TemplateResponse(
        request, "blogs/tag_detail.html", {"tag": tag, "posts": page, "page_obj": page}
    )
