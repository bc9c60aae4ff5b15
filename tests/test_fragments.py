"""Pieces of reader pages made once per content version (byline.core.frame): the forms, post
summaries, a post's neighbours and its lookup, the Featured aside. Each change a reader could
see is on the next render; nothing one request caches reaches another; memory is bounded."""

import datetime
import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client, RequestFactory
from wagtail.models import Page

from byline.blogs.models import Author
from byline.comments.models import CommentStatus, ReaderComment
from byline.core import frame
from byline.images.tests.factories import make_image
from tests.factories import build_site_tree, make_post

UTC = datetime.UTC


@pytest.fixture
def tree(db):
    frame.forget()
    return build_site_tree()


def at(day: int) -> datetime.datetime:
    return datetime.datetime(2011, 7, day, 12, tzinfo=UTC)


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


# -- the {% remember %} tag ---------------------------------------------------------------


class Counter:
    """A template variable that counts how often the template read it."""

    def __init__(self):
        self.reads = 0

    def __str__(self) -> str:
        self.reads += 1
        return f"read {self.reads}"


TEMPLATE = '{% load core_tags %}{% remember "demo" key %}<p>{{ counter }}</p>{% endremember %}'


def remember(counter: Counter, key: str, template: str = TEMPLATE) -> str:
    request = RequestFactory().get("/")
    return Template(template).render(Context({"counter": counter, "key": key, "request": request}))


@pytest.mark.django_db
def test_a_fragment_is_rendered_once_per_key_and_version():
    frame.forget()
    counter = Counter()
    assert remember(counter, "a") == "<p>read 1</p>"
    assert remember(counter, "a") == "<p>read 1</p>"
    assert remember(counter, "b") == "<p>read 2</p>"
    frame.bump()
    assert remember(counter, "a") == "<p>read 3</p>"


@pytest.mark.django_db
def test_a_fragment_with_seconds_is_made_again_after_them(monkeypatch):
    frame.forget()
    counter = Counter()
    template = TEMPLATE.replace("key %}", "key seconds=60 %}")
    now = 1_000_000.0
    monkeypatch.setattr(frame.time, "time", lambda: now)
    assert remember(counter, "a", template) == "<p>read 1</p>"
    now += 59
    assert remember(counter, "a", template) == "<p>read 1</p>"
    now += 2
    assert remember(counter, "a", template) == "<p>read 2</p>"


@pytest.mark.django_db
def test_fragments_of_single_pages_are_bounded(monkeypatch):
    frame.forget()
    monkeypatch.setattr(frame, "MAX_PER_PAGE", 3)
    counter = Counter()
    for key in "abcd":
        remember(counter, key)
    assert len(frame._per_page) == 3
    # The oldest went first; the others are still held.
    assert remember(counter, "d") == "<p>read 4</p>"
    assert remember(counter, "a") == "<p>read 5</p>"


@pytest.mark.django_db
def test_a_summary_is_made_once_for_its_eager_and_once_for_its_lazy_places(tree, settings):
    settings.BYLINE_IMAGES_AVIF = False
    post = make_post(tree.blog, title="A story", slug="a-story", date=at(2))
    post.lead_image = make_image(description="A chart")
    post.save_revision().publish()
    request = RequestFactory().get("/")
    # A listing's summaries: the post in the given place among others.
    listing = Template("{% load blogs_tags %}{% post_summaries posts %}")

    def summary(position: int) -> str:
        shown = listing.render(Context({"posts": [post] * (position + 1), "request": request}))
        return shown.split('<article class="post-summary">')[-1]

    def summaries_kept() -> int:
        return sum(1 for key in frame._per_item if key[0] == "post-summary")

    first = summary(0)
    assert 'loading="eager"' in first and "A story" in first
    assert summary(2) == first
    later = summary(3)
    assert 'loading="lazy"' in later and "A story" in later
    assert all(summary(position) == later for position in range(4, 12))
    assert summaries_kept() == 2


def test_the_tag_asks_for_a_quoted_name():
    with pytest.raises(TemplateSyntaxError, match="quoted"):
        Template("{% load core_tags %}{% remember demo %}x{% endremember %}")


# -- what readers see stays current ---------------------------------------------------------


@pytest.mark.django_db
def test_a_new_neighbour_shows_on_the_next_render(client, tree):
    first = make_post(tree.blog, title="First post", slug="first", date=at(1))
    middle = make_post(tree.blog, title="Middle post", slug="middle", date=at(10))
    assert "First post" in render(client, middle.url)
    assert "Later post" not in render(client, middle.url)
    make_post(tree.blog, title="Later post", slug="later", date=at(20))
    html = render(client, middle.url)
    assert "Later post" in section(html, 'class="post-neighbours"', "</nav>")
    # Unpublished: gone from its neighbour's page at once.
    Page.objects.get(pk=first.pk).specific.unpublish()
    assert "First post" not in render(client, middle.url)


@pytest.mark.django_db
def test_a_post_in_more_from_lists_is_made_once_in_a_crawl_and_a_new_title_shows(client, tree):
    first = make_post(tree.blog, title="First post", slug="first", date=at(1))
    second = make_post(tree.blog, title="Second post", slug="second", date=at(2))
    third = make_post(tree.blog, title="Third post", slug="third", date=at(3))
    assert "First post" in render(client, third.url)
    # Serving keeps no link apart: the post's lists are kept with its page's pieces.
    assert not [key for key in frame._per_item if key[0] == "post-link"]
    frame.forget()
    with frame.holding_items(100):
        html = render(client, third.url)
        assert "First post" in section(html, 'id="more-from-blog"', "</ul>")
        links_kept = {key for key in frame._per_item if key[0] == "post-link"}
        assert ("post-link", first.pk, "testserver") in links_kept
        # The second post's page lists the first again: the same item, not a new one.
        more = section(render(client, second.url), 'id="more-from-blog"', "</ul>")
        assert "First post" in more
        assert {key for key in frame._per_item if key[0] == "post-link"} == links_kept
        renamed = Page.objects.get(pk=first.pk).specific
        renamed.title = "First post, renamed"
        renamed.save_revision().publish()
        listed = section(render(client, third.url), 'id="more-from-blog"', "</ul>")
    assert "First post, renamed" in listed
    shown_date = r'<time datetime="2011-07-01T\d\d:00:00[+-]\d\d:\d\d">July 1, 2011</time>'
    assert re.search(shown_date, listed)


@pytest.mark.django_db
def test_a_post_published_after_its_address_answered_404_is_found(client, tree):
    assert client.get("/blogs/bekkers-blog/2011/07/soon/").status_code == 404
    make_post(tree.blog, title="Soon", slug="soon", date=at(5))
    assert "Soon" in render(client, "/blogs/bekkers-blog/2011/07/soon/")


@pytest.mark.django_db
def test_an_authors_new_name_shows_on_the_next_render(client, tree):
    post = make_post(tree.blog, slug="named", date=at(3), authors=[tree.author])
    assert "Scott Bekker" in render(client, post.url)
    assert "Scott Bekker" in render(client, tree.blog.url)
    author = Author.objects.get(pk=tree.author.pk)
    author.name = "Scott R. Bekker"
    author.save()
    assert "Scott R. Bekker" in render(client, post.url)
    assert "Scott R. Bekker" in section(render(client, tree.blog.url), "post-list", "</main>")


@pytest.mark.django_db
def test_a_blogs_header_is_its_own_and_follows_a_new_title(client, tree):
    from byline.blogs.models import BlogPage

    other = tree.blogs.add_child(instance=BlogPage(title="Other Column", slug="other-column"))
    posts = [make_post(tree.blog, slug=f"column-{day}", date=at(day)) for day in (3, 4)]
    others = [make_post(other, slug=f"other-{day}", date=at(day)) for day in (3, 4)]

    def header(post) -> str:
        return section(render(client, post.url), 'class="blog-header"', "</header>")

    assert all("Bekker&#x27;s Blog" in header(p) for p in posts)
    assert all(
        "Other Column" in header(p) and 'href="/blogs/other-column/archive/"' in header(p)
        for p in others
    )
    blog = tree.blog
    blog.title = "Bekker on Business"
    blog.save_revision().publish()
    assert all("Bekker on Business" in header(p) for p in posts)
    assert all("Other Column" in header(p) for p in others)


@pytest.mark.django_db
def test_bylines_are_remembered_per_list_of_authors(client, tree):
    """Namesakes each link to their own page, a byline without links (a summary's) stays
    without, and an author deleted since keeps the name without a link."""
    from tests.factories import AuthorFactory

    namesake = AuthorFactory(name="Scott Bekker", slug="scott-bekker-2")
    first = make_post(tree.blog, slug="first", date=at(3), authors=[tree.author])
    second = make_post(tree.blog, slug="second", date=at(4), authors=[namesake])
    both = make_post(tree.blog, slug="both", date=at(5), authors=[tree.author, namesake])
    link = '<a href="/authors/{}/" rel="author">Scott Bekker</a>'
    for post, slugs in ((first, ["scott-bekker"]), (second, ["scott-bekker-2"])):
        byline = section(render(client, post.url), 'class="byline"', "</p>")
        assert byline.count('rel="author"') == 1 and link.format(slugs[0]) in byline
    byline = section(render(client, both.url), 'class="byline"', "</p>")
    assert f"{link.format('scott-bekker')} and {link.format('scott-bekker-2')}" in byline
    summaries = section(render(client, tree.blog.url), "post-list", "</main>")
    assert "by Scott Bekker and Scott Bekker" in summaries and 'rel="author"' not in summaries
    Author.objects.filter(pk=namesake.pk).delete()
    byline = section(render(client, second.url), 'class="byline"', "</p>")
    assert "Scott Bekker" in byline and 'rel="author"' not in byline


@pytest.mark.django_db
def test_a_summarys_comment_count_follows_approvals(client, tree):
    post = make_post(tree.blog, slug="talked", date=at(4))
    assert "1 comment" not in render(client, tree.blog.url)
    comment = ReaderComment.objects.create(
        post=post, status=CommentStatus.PENDING, name="R", email="r@example.com", body="Hi."
    )
    assert "1 comment" not in render(client, tree.blog.url)
    comment.status = CommentStatus.APPROVED
    comment.save()
    assert "1 comment" in render(client, tree.blog.url)


@pytest.mark.django_db
def test_nothing_a_request_caches_on_its_post_reaches_the_next(client, tree):
    """The remembered post lookup hands out a fresh object each time."""
    post = make_post(tree.blog, slug="fresh", date=at(6))
    request = RequestFactory().get(post.url)
    request.META["HTTP_HOST"] = "localhost"
    blog = tree.blog.specific
    first = blog.post_at(request, "fresh")
    first.__dict__["_tag_list"] = ["not a tag"]
    second = blog.post_at(request, "fresh")
    assert second is not first
    assert "_tag_list" not in second.__dict__
    assert second.pk == post.pk and second.title == post.title


@pytest.mark.django_db
def test_form_tokens_are_made_again_after_five_minutes(client, tree, monkeypatch):
    """The comment and newsletter forms are remembered, but their shared token (which carries
    its time) is never more than five minutes older than the page."""
    post = make_post(tree.blog, slug="tokened", date=at(7))

    def tokens() -> list[str]:
        return re.findall(r'name="formguard_token" value="([^"]+)"', render(client, post.url))

    now = 2_000_000_000.0
    monkeypatch.setattr(frame.time, "time", lambda: now)
    first = tokens()
    assert len(first) == 2  # the comment form and the newsletter form
    now += 60
    assert tokens() == first
    now += 300
    assert all(new != old for new, old in zip(tokens(), first, strict=True))


@pytest.mark.django_db
def test_a_correction_shows_in_the_posts_json_ld_on_the_next_render(client, tree):
    from byline.corrections.models import Correction

    post = make_post(tree.blog, slug="corrected", date=at(8))
    assert "CorrectionComment" not in render(client, post.url)
    correction = Correction.objects.create(post=post, text="The date was wrong.")
    html = render(client, post.url)
    assert "CorrectionComment" in section(html, '<script type="application/ld+json">', "</head>")
    correction.delete()
    assert "CorrectionComment" not in render(client, post.url)


@pytest.mark.django_db
def test_every_listing_shows_fresh_comment_counts(client, tree):
    post = make_post(tree.blog, slug="counted", date=at(9), authors=[tree.author], tags=["azure"])
    pages = ["/", tree.blog.url, "/authors/scott-bekker/", "/tags/azure/"]
    for url in pages:
        assert "1 comment" not in render(client, url), url
    ReaderComment.objects.create(
        post=post, status=CommentStatus.APPROVED, name="R", email="r@example.com", body="Hi."
    )
    for url in pages:
        assert "1 comment" in render(client, url), url


@pytest.mark.django_db
def test_a_listing_hands_out_copies_of_its_posts(tree):
    from byline.blogs.models import PostPage
    from byline.blogs.remembered import remembered_posts

    make_post(tree.blog, slug="listed", date=at(11))
    request = RequestFactory().get("/")
    first = remembered_posts(request, "demo", lambda: PostPage.objects.all().for_listing())
    first[0].title = "Changed by one render"
    again = remembered_posts(request, "demo", lambda: pytest.fail("read again"))
    assert again[0] is not first[0]
    assert again[0].title != "Changed by one render"


@pytest.mark.django_db
def test_a_preview_shows_the_editors_state_not_the_remembered_post(tree):
    # The host previews are made for, so that the live render's pieces are the preview's.
    client = Client(HTTP_HOST="localhost")
    post = make_post(tree.blog, title="Live title", slug="previewed", date=at(12))
    assert "Live title" in render(client, post.url)
    post.title = "Unsaved title"
    response = post.make_preview_request()
    if hasattr(response, "render"):
        response.render()
    html = response.content.decode()
    assert "Unsaved title" in section(html, "<article", "</article>")
    assert "Unsaved title" in section(html, "<head>", "</head>")
    assert "Live title" in render(client, post.url)


@pytest.mark.django_db
def test_authors_are_shared_between_posts_and_follow_their_changes(tree):
    """A post's byline reads its credits; the authors (with their profile links) are read
    once per content version for every post crediting them, and a new link or a deleted
    author shows on the next read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from byline.blogs.models import AuthorLink, PostPage

    first = make_post(tree.blog, slug="first", date=at(5), authors=[tree.author])
    second = make_post(tree.blog, slug="second", date=at(6), authors=[tree.author])
    assert [a.name for a in PostPage.objects.get(pk=first.pk).authors] == ["Scott Bekker"]
    with CaptureQueriesContext(connection) as queries:
        authors = PostPage.objects.get(pk=second.pk).authors
    assert len(queries) == 2  # the post, its credits: not the author nor the links
    assert [a.pk for a in authors] == [tree.author.pk]
    AuthorLink.objects.create(author=tree.author, label="Mastodon", url="https://example.social/@s")
    links = PostPage.objects.get(pk=second.pk).authors[0].profile_links
    assert [link.url for link in links] == ["https://example.social/@s"]
    Author.objects.filter(pk=tree.author.pk).delete()
    assert [(a.pk, a.name) for a in PostPage.objects.get(pk=first.pk).authors] == [
        (None, "Scott Bekker")
    ]


@pytest.mark.django_db
def test_a_preview_shows_the_editors_unsaved_byline(tree):
    from byline.blogs.models import PostPageAuthor

    client = Client(HTTP_HOST="localhost")
    guest = Author.objects.create(name="Guest Writer", slug="guest-writer")
    post = make_post(tree.blog, slug="bylined", date=at(13), authors=[tree.author])
    assert "Scott Bekker" in render(client, post.url)
    post.post_authors = [PostPageAuthor(author=guest)]
    response = post.make_preview_request()
    if hasattr(response, "render"):
        response.render()
    article = section(response.content.decode(), "<article", "</article>")
    assert "Guest Writer" in article and "Scott Bekker" not in article
