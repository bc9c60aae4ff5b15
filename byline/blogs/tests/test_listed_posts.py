"""A post on several listings is loaded once per content version in each process
(byline.blogs.remembered.listed_posts); pieces of posts are bounded apart from those of
single pages (byline.core.frame)."""

import re
from collections import Counter

import pytest
from django.db.models.signals import post_init
from django.test import RequestFactory

from byline.blogs.models import PostPage
from byline.blogs.remembered import fresh_copy, listed_posts
from byline.core import frame
from tests.factories import make_column

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(tree):
    frame.forget()
    return make_column(tree, 6)


@pytest.fixture
def loads(monkeypatch):
    """The ids of listed posts each load read from the database, in order."""
    loaded: list[list[int]] = []
    real = frame.remembered_each

    def spying(request, keys, build_missing, **options):
        def build(missing):
            loaded.append([key[1] for key in missing if key[0] == "listed-post"])
            return build_missing(missing)

        return real(request, keys, build, **options)

    monkeypatch.setattr(frame, "remembered_each", spying)
    return loaded


def instantiated_posts():
    """Count the PostPage objects the ORM makes (copies of remembered ones are not made by
    it)."""
    made = Counter()

    def receiver(sender, instance, **kwargs):
        made[instance.pk] += 1

    post_init.connect(receiver, sender=PostPage, weak=False)
    return made, lambda: post_init.disconnect(receiver, sender=PostPage)


def test_listed_posts_loads_only_those_it_does_not_hold(posts, loads):
    request = RequestFactory().get("/")
    ids = [post.pk for post in posts]
    first = listed_posts(request, ids[:4])
    second = listed_posts(request, ids[2:])
    assert [post.title for post in first] == ["Post 1", "Post 2", "Post 3", "Post 4"]
    assert [post.pk for post in second] == ids[2:]
    assert loads == [ids[:4], ids[4:]]
    # The same objects: a listing remembering them holds no copies of its own.
    assert first[2] is second[0]


def test_each_render_of_a_listing_gets_its_own_copies(client, tree, posts):
    from byline.blogs.listing import Scope, ScopeListing

    request = RequestFactory().get("/")
    scope = Scope(tree_path=tree.blog.path)
    for listing in (ScopeListing(scope, 6, request=request), ScopeListing(scope, 6)):
        first, second = listing[0:2], listing[0:2]
        assert [post.title for post in first] == ["Post 6", "Post 5"]
        assert first[0] is not second[0]
        # What one render caches on a post stays with it.
        first[0].title = "Changed by one render"
        assert listing[0:2][0].title == "Post 6"
        assert listed_posts(request, [posts[-1].pk])[0].title == "Post 6"


def test_a_row_loaded_through_one_copy_is_not_in_another(posts):
    """Copies of one remembered post share no cache of related rows: what one page loads
    through its copy, another loads (and notes) itself."""
    [held] = listed_posts(None, [posts[0].pk])
    first, second = fresh_copy(held), fresh_copy(held)
    locale = first.locale
    assert first._state.fields_cache["locale"] is locale
    assert "locale" not in second._state.fields_cache
    assert "locale" not in held._state.fields_cache
    first._prefetched_objects_cache["something"] = []
    assert "something" not in second._prefetched_objects_cache
    # What the held post was loaded with, every copy still has without a query.
    assert [a.pk for a in second.post_authors.all()] == [a.pk for a in held.post_authors.all()]


def test_listed_posts_leaves_out_posts_no_longer_there(posts, loads):
    request = RequestFactory().get("/")
    gone = posts[1]
    ids = [posts[0].pk, gone.pk, posts[2].pk]
    gone.delete()
    assert [post.pk for post in listed_posts(request, ids)] == [posts[0].pk, posts[2].pk]


def test_a_post_on_several_listings_is_loaded_once(client, tree, posts, settings):
    settings.BYLINE_POSTS_PER_PAGE = 4
    made, stop = instantiated_posts()
    try:
        assert client.get(tree.blog.url).status_code == 200
        assert client.get(tree.blog.url + "?page=2").status_code == 200
        by_blog = sum(made.values())
        made.clear()
        for url in ("/authors/scott-bekker/", "/tags/microsoft/", "/tags/microsoft/?page=2"):
            response = client.get(url)
            assert response.status_code == 200, url
            assert "Post 6" in response.text or "Post 1" in response.text
    finally:
        stop()
    assert by_blog >= len(posts)
    assert not made, "the author's and tag's listings loaded posts the blog's had loaded"


def test_a_change_to_a_listed_post_shows_on_every_listing_at_once(client, tree, posts):
    for url in (tree.blog.url, "/authors/scott-bekker/", "/tags/microsoft/"):
        assert "Post 6" in client.get(url).text
    post = posts[-1]
    post.title = "A new title"
    post.save_revision().publish()
    for url in (tree.blog.url, "/authors/scott-bekker/", "/tags/microsoft/"):
        html = client.get(url).text
        assert "A new title" in html and "Post 6" not in html, url


def test_pieces_of_single_pages_do_not_push_out_those_of_posts(monkeypatch):
    frame.forget()
    monkeypatch.setattr(frame, "MAX_PER_PAGE", 2)
    monkeypatch.setattr(frame, "MAX_PER_ITEM", 3)
    built = Counter()

    def remember(key, **bound):
        return frame.remembered(None, key, lambda: built.update([key]) or key, **bound)

    remember("post", per_item=True)
    for page in range(10):
        remember(("page", page), per_page=True)
    remember("post", per_item=True)
    assert built["post"] == 1
    for item in range(4):
        remember(("item", item), per_item=True)
    remember("post", per_item=True)
    assert built["post"] == 2, "the least recently used item went first"


def test_holding_items_raises_the_bound_and_puts_it_back(monkeypatch):
    frame.forget()
    monkeypatch.setattr(frame, "MAX_PER_ITEM", 2)
    with frame.holding_items(5):
        for item in range(5):
            frame.remembered(None, ("item", item), lambda item=item: item, per_item=True)
        assert len(frame._per_item) == 5
    assert frame.MAX_PER_ITEM == 2
    assert len(frame._per_item) == 2
    assert list(frame._per_item) == [("item", 3), ("item", 4)]


def test_a_crawl_of_a_listings_pages_reads_their_ids_ten_pages_at_once(
    client, tree, settings, monkeypatch
):
    from byline.blogs import listing

    settings.BYLINE_POSTS_PER_PAGE = 2
    monkeypatch.setattr(listing, "IDS_READ", 4)
    frame.forget()
    made = make_column(tree, 11)
    reads = []
    real = listing.newest_post_ids

    def counting(scope, limit, **kwargs):
        reads.append((scope, limit, kwargs.get("offset", 0)))
        return real(scope, limit, **kwargs)

    monkeypatch.setattr(listing, "newest_post_ids", counting)
    newest_first = [post.title for post in reversed(made)]
    for base in ("/tags/microsoft/", "/authors/scott-bekker/", tree.blog.url):
        shown = []
        for number in range(1, 7):
            html = client.get(base + (f"?page={number}" if number > 1 else "")).text
            shown += re.findall(r'class="post-summary-title"><a href="[^"]*">([^<]*)</a>', html)
        assert shown == newest_first, base
    # Eleven posts, two a page, four ids a read: three reads for each listing's six pages.
    assert [(limit, offset) for _, limit, offset in reads] == [(4, 0), (4, 4), (4, 8)] * 3


def test_a_crawl_loads_the_posts_of_a_listings_next_pages_with_its_first(tree, posts, loads):
    from byline.blogs.listing import Scope, ScopeListing

    ids = [post.pk for post in reversed(posts)]
    request = RequestFactory().get("/")
    listing = ScopeListing(Scope(tree_path=tree.blog.path), 6, request=request)
    # Serving: each page loads what it shows.
    assert [post.pk for post in listing[0:2]] == ids[:2]
    assert loads == [ids[:2]]
    frame.forget()
    loads.clear()
    with frame.holding_items(100):
        assert [post.pk for post in listing[0:2]] == ids[:2]
        assert [post.pk for post in listing[2:4]] == ids[2:4]
        assert [post.pk for post in listing[4:6]] == ids[4:]
    # A crawl: the first page's load takes the block's other posts along, once.
    assert loads == [ids]
    assert not frame.reading_ahead()


def test_posts_loaded_together_each_note_only_their_own_rows(tree, posts):
    """A listing is purged by a change to a post it shows, not to another post that was
    loaded in the same statement."""
    from byline.blogs.listing import Scope, ScopeListing
    from byline.pagecache import tags, tracking

    request = RequestFactory().get("/")
    listing = ScopeListing(Scope(tree_path=tree.blog.path), 6, request=request)

    def noted(window: slice) -> set[str]:
        token = tracking.start()
        listing[window]
        return {tag for tag in tracking.stop(token) if tag.startswith(("post:", "author:"))}

    newest, second, third, fourth = reversed(posts[2:])
    with frame.holding_items(100):
        first_page = noted(slice(0, 2))
        second_page = noted(slice(2, 4))
    assert first_page == {tags.post(newest.pk), tags.post(second.pk), tags.author(tree.author.pk)}
    assert second_page == {tags.post(third.pk), tags.post(fourth.pk), tags.author(tree.author.pk)}


def test_reading_ahead_needs_each_pieces_own_rows():
    with pytest.raises(ValueError, match="rows_of"):
        frame.remembered_each(None, ["a"], lambda keys: {}, ahead=["b"])


def test_a_summary_is_made_again_for_another_position_only_when_it_has_an_image(tree, posts):
    """The first few summaries of a listing load their image at once, the rest when scrolled
    to: a post without a lead image reads the same at any position, and is made once."""
    from django.template import Context, Template
    from django.test.signals import template_rendered

    from byline.images.tests.factories import make_image

    pictured = posts[0]
    pictured.lead_image = make_image(description="A chart")
    pictured.save_revision().publish()
    frame.forget()
    made: list[int] = []

    def note(sender, template, context, **kwargs):
        if template.name == "blogs/includes/post_summary.html":
            made.append(context["post"].pk)

    summaries = Template("{% load blogs_tags %}{% post_summaries posts %}")
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    listed = list(PostPage.objects.filter(pk__in=[post.pk for post in posts]).for_listing())
    listed.sort(key=lambda post: post.pk == pictured.pk, reverse=True)  # pictured first
    template_rendered.connect(note)
    try:
        first = summaries.render(Context({"posts": listed, "request": request}))
        assert sorted(made) == sorted(post.pk for post in posts)
        made.clear()
        # The same posts the other way round: the pictured post last, past the eager ones.
        last = summaries.render(Context({"posts": listed[::-1], "request": request}))
    finally:
        template_rendered.disconnect(note)
    assert made == [pictured.pk]
    assert 'loading="eager"' in first.split("</article>")[0]
    assert 'loading="lazy"' in last.split("</article>")[-2]
