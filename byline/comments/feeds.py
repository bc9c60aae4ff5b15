"""RSS 2.0 feeds of approved comments, per page and per blog; no e-mail address ever goes in.

Pingbacks and trackbacks are mentions, not conversation: they stay out of the feeds. Opened in
a browser, a feed shows as a page listing the comments (byline/core/feedwriters.py)."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from wagtail.models import Page

from byline.blogs.models import BlogPage, PostPage
from byline.blogs.visibility import readable_q
from byline.comments.models import ReaderComment, with_specific_pages
from byline.comments.pages import commented_page
from byline.core.feedwriters import PAGE_ITEMS, PAGE_SITE_LINK, StyledRssFeed

FEED_LENGTH = 50


class _CommentFeed(Feed):
    feed_type = StyledRssFeed

    def feed_extra_kwargs(self, obj) -> dict:
        return {PAGE_ITEMS: "comments"}

    def item_title(self, comment: ReaderComment) -> str:
        return f"{comment.name} on “{comment.post.title}”"

    def item_description(self, comment: ReaderComment) -> str:
        return comment.body_html

    def item_link(self, comment: ReaderComment) -> str:
        return comment.get_absolute_url()

    def item_guid(self, comment: ReaderComment) -> str:
        return self.item_link(comment)

    def item_pubdate(self, comment: ReaderComment):
        return comment.created

    def item_author_name(self, comment: ReaderComment) -> str:
        # Only the name: Django would print item_author_email as <author>, so there is none.
        return comment.name


class PostCommentsFeed(_CommentFeed):
    def get_object(self, request, post_id: int) -> Page:
        post = commented_page(post_id)
        if post is None:
            raise Http404("No such page")
        return post

    def title(self, post: PostPage) -> str:
        return f"Comments on “{post.title}”"

    def link(self, post: PostPage) -> str:
        return f"{post.url}#comments"

    def description(self, post: PostPage) -> str:
        return f"Readers' comments on “{post.title}”, newest first."

    def items(self, post: Page) -> list[ReaderComment]:
        comments = list(
            ReaderComment.objects.approved()
            .conversation()
            .filter(post=post)
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )
        for comment in comments:
            comment.post = post  # already loaded, as its own type
        return comments


class BlogCommentsFeed(_CommentFeed):
    def get_object(self, request, blog: str) -> BlogPage:
        return get_object_or_404(BlogPage.objects.filter(readable_q()), slug=blog)

    def title(self, blog: BlogPage) -> str:
        return f"Comments on {blog.title}"

    def link(self, blog: BlogPage) -> str:
        return blog.url

    def feed_extra_kwargs(self, blog: BlogPage) -> dict:
        # The link is the blog's front page, which lists posts; their comments are under each.
        return {
            PAGE_ITEMS: "comments",
            PAGE_SITE_LINK: "Read the posts and their comments on the site",
        }

    def description(self, blog: BlogPage) -> str:
        return f"Readers' comments on the posts of {blog.title}, newest first."

    def items(self, blog: BlogPage) -> list[ReaderComment]:
        posts = PostPage.objects.child_of(blog).published()
        return with_specific_pages(
            ReaderComment.objects.approved()
            .conversation()
            .filter(post__in=posts.values("pk"))
            .order_by("-created", "-pk")[:FEED_LENGTH]
        )
