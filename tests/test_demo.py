"""`byline demo`: the reference content, faithfully, and synthetic posts in bulk."""

import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from byline.blogs.models import PostPage
from byline.demo.synthetic import add_synthetic_posts
from tests.factories import build_site_tree

POST_URL = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"


@pytest.fixture
def reference(db):
    call_command("demo", verbosity=0)


@pytest.mark.django_db
class TestReferencePost:
    def test_post_page_has_the_reference_parts_in_order(self, client, reference):
        response = client.get(POST_URL)
        assert response.status_code == 200
        html = response.content.decode()
        parts = [
            '<p class="blog-title"><a href="/blogs/bekkers-blog/">Bekker&#x27;s Blog</a></p>',
            '<a href="/blogs/bekkers-blog/archive/">Blog archive</a>',
            '<h1 id="post-title">Why Partners Like Steve Ballmer</h1>',
            "For all the grief that Microsoft CEO Steve Ballmer gets from Wall Street",
            "<p>From the transcript (emphasis mine):</p>",
            "<blockquote",
            "Does Ballmer still get it when it comes to partners?",
            'class="invitation"',
            "Posted by",
        ]
        positions = [html.index(part) for part in parts]
        assert positions == sorted(positions)

    def test_exact_byline(self, client, reference):
        html = client.get(POST_URL).content.decode()
        assert (
            '<p class="byline">Posted by <a href="/authors/scott-bekker/" rel="author">'
            'Scott Bekker</a> on <time datetime="2011-07-13T12:00:00+00:00">July 13, 2011</time>'
            "</p>"
        ) in html

    def test_quotation_keeps_emphasis_speaker_source_and_note(self, client, reference):
        html = client.get(POST_URL).content.decode()
        quote = html[html.index('<figure class="quotation">') : html.index("</figure>")]
        assert "<p>But I find that our partners have perhaps the most interesting" in quote
        assert (
            "<b>you are independent business people who are coming to work every day cheering "
            "for us, but also understanding that you need to consider alternatives</b>"
        ) in quote
        assert (
            "<p>Customers aren't really quite as all-in as you are, and our employees have a "
            "hard time really pushing us as objectively as our partners.</p>"
        ) in quote
        assert '<span class="speaker">Steve Ballmer</span>' in quote
        assert "<cite><a href=" in quote and "transcript</a></cite>" in quote
        assert '<time datetime="2011-07-11">July 11, 2011</time>' in quote
        assert "(emphasis added)" in quote

    def test_no_plain_author_address_on_the_post(self, client, reference):
        assert b"sbekker@example.com" not in client.get(POST_URL).content

    def test_reader_path_from_blogs_to_july_2011(self, client, reference):
        assert b'href="/blogs/bekkers-blog/"' in client.get("/blogs/").content
        front = client.get("/blogs/bekkers-blog/").content
        assert f'href="{POST_URL}"'.encode() in front
        archive = client.get("/blogs/bekkers-blog/archive/").content.decode()
        assert '<a href="/blogs/bekkers-blog/2011/07/">July 2011</a>' in archive
        month = client.get("/blogs/bekkers-blog/2011/07/").content
        assert b"Why Partners Like Steve Ballmer" in month

    def test_featured_stories_exist_as_posts(self, client, reference):
        titles = set(PostPage.objects.live().values_list("title", flat=True))
        assert "Microsoft Layoffs: AI Is the Obvious Elephant in the Room" in titles
        assert "2025 Microsoft Conference Calendar: For Partners, IT Pros and Developers" in titles

    def test_demo_runs_twice_without_duplicating(self, reference):
        before = Page.objects.count()
        call_command("demo", verbosity=0)
        assert Page.objects.count() == before


@pytest.mark.django_db
def test_the_admin_password_file_is_0600_even_over_a_wider_one(settings, tmp_path):
    """The new superuser's password is kept under var/ for this user only; a file an earlier
    site left there with a wider mode is replaced, not written into."""
    settings.VAR_DIR = tmp_path
    left = tmp_path / "admin-password"
    left.write_text("an earlier site's password\n")
    left.chmod(0o644)
    umask = os.umask(0o022)
    try:
        call_command("demo", verbosity=0)
    finally:
        os.umask(umask)
    assert left.stat().st_mode & 0o777 == 0o600
    password = left.read_text().strip()
    assert get_user_model().objects.get(username="admin").check_password(password)


@pytest.mark.django_db
class TestSyntheticPosts:
    def test_adds_posts_that_are_served_at_their_dated_addresses(self, client):
        tree = build_site_tree()
        add_synthetic_posts(40)
        posts = PostPage.objects.filter(slug__startswith="synthetic-")
        assert posts.count() == 40
        assert Page.find_problems() == ([], [], [], [], [])
        post = posts.published().first()
        assert client.get(post.url).status_code == 200
        assert post.authors and post.tags.exists()
        years = {p.date.year for p in posts}
        assert len(years) > 5  # spread over the fifteen years
        assert tree.blog.get_children().count() == 0  # synthetic blogs are their own

    def test_same_seed_same_posts(self):
        build_site_tree()
        add_synthetic_posts(5, seed=7)
        first = list(
            PostPage.objects.filter(slug__startswith="synthetic-")
            .order_by("slug")
            .values_list("slug", "title", "date")
        )
        for post in PostPage.objects.filter(slug__startswith="synthetic-"):
            post.delete()
        add_synthetic_posts(5, seed=7)
        again = list(
            PostPage.objects.filter(slug__startswith="synthetic-")
            .order_by("slug")
            .values_list("slug", "title", "date")
        )
        assert again == first

    def test_second_call_adds_more(self):
        build_site_tree()
        add_synthetic_posts(3)
        add_synthetic_posts(4)
        assert PostPage.objects.filter(slug__startswith="synthetic-").count() == 7
        assert Page.find_problems() == ([], [], [], [], [])

    def test_negative_count_is_refused(self):
        from django.core.management.base import CommandError

        build_site_tree()
        with pytest.raises(CommandError, match="--posts must be zero or more"):
            call_command("demo", posts=-1, verbosity=0)
