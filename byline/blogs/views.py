"""Author and tag pages: lists of posts that cut across blogs."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from taggit.models import Tag

from byline.blogs import counts
from byline.blogs.listing import Scope, ScopeListing, site_tree_path
from byline.blogs.models import Author, PostPage
from byline.core.pagination import paginate


def _listing(
    request: HttpRequest, name: str, scope: Scope, posts: Callable[[], QuerySet]
) -> ScopeListing:
    """The scope's posts for a paginator, counted once per change to the posts (`posts()`
    is built only to count them)."""
    count = counts.scope_post_count(
        f"{name}:{scope.tree_path}", lambda: posts().filter(path__startswith=scope.tree_path)
    )
    return ScopeListing(scope, count, request=request)


def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    author = get_object_or_404(Author, slug=slug)
    scope = Scope(tree_path=site_tree_path(request), author_id=author.pk)
    page = paginate(
        request,
        _listing(
            request,
            f"author:{author.pk}",
            scope,
            lambda: PostPage.objects.published().filter(post_authors__author=author),
        ),
    )
    return TemplateResponse(
        request,
        "blogs/author_detail.html",
        {"author": author, "posts": page, "page_obj": page},
    )


def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    scope = Scope(tree_path=site_tree_path(request), tag_id=tag.pk)
    listing = _listing(
        request, f"tag:{tag.pk}", scope, lambda: PostPage.objects.published().filter(tags=tag)
    )
    if not listing.count():
        # A tag with no published post is not a page a reader can reach.
        raise Http404("No posts with that tag")
    page = paginate(request, listing)
    return TemplateResponse(
        request, "blogs/tag_detail.html", {"tag": tag, "posts": page, "page_obj": page}
    )
