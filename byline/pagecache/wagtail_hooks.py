"""Tells the page store which Wagtail page a request was answered with."""

from wagtail import hooks


@hooks.register("before_serve_page")
def note_served_page(page, request, serve_args, serve_kwargs) -> None:
    request._pagecache_page = page
