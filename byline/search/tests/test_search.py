"""/search/: ranking, fields searched, filters, snippets, pagination, index upkeep, bad input."""

import dataclasses
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from byline.search import engines
from byline.search.query import MAX_QUERY_CHARS, fts5_expression, parse
from tests.factories import AuthorFactory, make_post

UTC = datetime.UTC


def at(year, month=6, day=1):
    return datetime.datetime(year, month, day, 12, tzinfo=UTC)


def titles(response) -> list[str]:
    return [post.title for post, _snippet in response.context["outcome"].posts]


def para(text):
    return [("paragraph", f"<p>{text}</p>")]


@pytest.fixture
def posts(tree):
    """Three posts: one about Ballmer in its title, one mentioning him in the body only,
    one unrelated; a second blog and author for the filters."""
    from byline.blogs.models import BlogPage

    other_blog = BlogPage(title="Cloud Desk", slug="cloud-desk")
    tree.blogs.add_child(instance=other_blog)
    other_blog.save_revision().publish()
    mackie = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie")
    return {
        "title": make_post(
            tree.blog,
            title="Why Partners Like Steve Ballmer",
            date=at(2011),
            authors=[tree.author],
            tags=["Partners"],
            body=para("The chief executive spoke to the channel."),
        ),
        "body": make_post(
            other_blog,
            title="Licensing changes",
            date=at(2012),
            authors=[mackie],
            excerpt="What changed in the price list.",
            body=para("Ballmer was not asked about licensing at the keynote."),
        ),
        "other": make_post(
            tree.blog,
            title="Azure pricing",
            date=at(2013),
            authors=[tree.author],
            tags=["Azure"],
            body=para("Nothing about anyone in particular."),
        ),
    }


@pytest.mark.django_db
class TestSearch:
    def test_ranks_a_title_match_above_a_body_match(self, client, posts):
        response = client.get("/search/", {"q": "ballmer"})
        assert response.status_code == 200
        assert titles(response) == ["Why Partners Like Steve Ballmer", "Licensing changes"]

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("keynote", "Licensing changes"),  # body
            ("price list", "Licensing changes"),  # excerpt
            ("mackie", "Licensing changes"),  # author name
            ("azure", "Azure pricing"),  # tag and title
            ("partners", "Why Partners Like Steve Ballmer"),  # tag and title
        ],
    )
    def test_searches_every_field(self, client, posts, query, expected):
        assert titles(client.get("/search/", {"q": query})) == [expected]

    def test_all_words_must_match(self, client, posts):
        assert titles(client.get("/search/", {"q": "ballmer keynote"})) == ["Licensing changes"]

    def test_quoted_phrase(self, client, posts):
        assert titles(client.get("/search/", {"q": '"chief executive"'})) == [
            "Why Partners Like Steve Ballmer"
        ]
        assert titles(client.get("/search/", {"q": '"executive chief"'})) == []

    def test_drafts_and_unpublished_posts_are_not_found(self, client, tree, posts):
        make_post(tree.blog, title="Secret ballmer draft", live=False)
        posts["title"].unpublish()
        assert titles(client.get("/search/", {"q": "ballmer"})) == ["Licensing changes"]

    def test_snippet_highlights_and_escapes(self, client, tree):
        make_post(
            tree.blog,
            title="Markup",
            body=para("Use &lt;script&gt;alert(1)&lt;/script&gt; carefully, said Ballmer."),
        )
        response = client.get("/search/", {"q": "ballmer"})
        ((_post, snippet),) = response.context["outcome"].posts
        assert "<mark>Ballmer</mark>" in snippet
        assert "&lt;script&gt;" in snippet
        assert "<script>alert" not in response.content.decode()

    def test_snippet_is_the_excerpt_or_the_body_never_both(self, client, tree):
        """Editors often write the excerpt from the body's opening: a result shows one of the
        two. A match in the excerpt shows the excerpt; a match in the body only, the body's
        passage; a match elsewhere (the title), the excerpt."""
        opening = "Microsoft partners keep saying Steve Ballmer gets them."
        make_post(
            tree.blog,
            title="Why partners adore him",
            excerpt=opening,
            body=para(f"{opening} The keynote at WPC showed why."),
        )

        def snippet_for(query: str) -> str:
            ((_post, snippet),) = client.get("/search/", {"q": query}).context["outcome"].posts
            return str(snippet)

        assert snippet_for("ballmer") == (
            "Microsoft partners keep saying Steve <mark>Ballmer</mark> gets them."
        )
        assert snippet_for("keynote") == (f"{opening} The <mark>keynote</mark> at WPC showed why.")
        assert snippet_for("adore") == opening


@pytest.fixture(params=["walk", "filter-first"])
def strategy(request, monkeypatch):
    """Run a test with filters applied to matches as they are walked, then with the filter's
    posts listed first (engines.filter_first picks one per query; small test sites would
    always get the second)."""
    if request.param == "walk":
        monkeypatch.setattr(engines, "CANDIDATE_LIMIT", 0)
    return request.param


@pytest.mark.django_db
@pytest.mark.usefixtures("strategy")
class TestFilters:
    def test_by_blog(self, client, posts):
        assert titles(client.get("/search/", {"q": "ballmer", "blog": "cloud-desk"})) == [
            "Licensing changes"
        ]

    def test_by_author(self, client, posts):
        assert titles(client.get("/search/", {"q": "ballmer", "author": "scott-bekker"})) == [
            "Why Partners Like Steve Ballmer"
        ]

    def test_by_year(self, client, posts):
        assert titles(client.get("/search/", {"q": "ballmer", "year": "2012"})) == [
            "Licensing changes"
        ]

    @pytest.mark.parametrize(
        "params",
        [
            {"blog": "nope"},
            {"author": "nobody"},
            {"year": "abc"},
            {"year": "99999999999"},
            {"year": "-1"},
            {"blog": "<script>"},
        ],
    )
    def test_unknown_values_are_ignored(self, client, posts, params):
        response = client.get("/search/", {"q": "ballmer", **params})
        assert response.status_code == 200
        assert len(titles(response)) == 2
        assert b"ignored" in response.content
        assert b"<script>" not in response.content


@pytest.mark.django_db
class TestFilterFirst:
    """engines.filter_first: list a narrow filter's posts first, walk matches for a broad one."""

    @pytest.fixture
    def six(self, tree):
        """Six posts, three by Scott Bekker, all in one blog, two in 2012."""
        for number in range(6):
            make_post(
                tree.blog,
                title=f"Post {number}",
                date=at(2012 if number < 2 else 2013),
                authors=[tree.author] if number % 2 else [],
            )
        return engines.Filters(site_path=tree.home.path)

    def test_no_filter_walks(self, six):
        assert engines.filter_first(six, window=500) is False

    def test_an_author_is_listed_first_only_when_narrow_for_the_window(self, six, tree):
        """3 posts: listing them pays when 3 x 3 <= window x posts, the posts estimated by the
        largest post id (at least 9 here: the tree's pages come first)."""
        by_scott = dataclasses.replace(six, author_id=tree.author.pk)
        assert engines.filter_first(by_scott, window=0) is False
        assert engines.filter_first(by_scott, window=1) is True

    def test_a_year_is_always_listed_first(self, six):
        assert engines.filter_first(dataclasses.replace(six, year=2013), window=1) is True

    def test_nothing_is_listed_past_the_limit(self, six, monkeypatch):
        monkeypatch.setattr(engines, "CANDIDATE_LIMIT", 1)
        assert engines.filter_first(dataclasses.replace(six, year=2012), window=500) is False

    def test_both_ways_give_the_same_results(self, client, six, tree, monkeypatch):
        query = {"q": "post", "author": tree.author.slug, "year": "2013"}
        listed = titles(client.get("/search/", query))
        monkeypatch.setattr(engines, "CANDIDATE_LIMIT", 0)
        assert titles(client.get("/search/", query)) == listed == ["Post 5", "Post 3"]


@pytest.mark.django_db
class TestPagination:
    def test_pages(self, client, tree, settings):
        settings.BYLINE_SEARCH_PER_PAGE = 2
        for day in range(1, 6):
            make_post(tree.blog, title=f"Ballmer {day}", date=at(2020, 1, day))
        first = client.get("/search/", {"q": "ballmer"})
        third = client.get("/search/", {"q": "ballmer", "page": "3"})
        assert len(titles(first)) == 2 and len(titles(third)) == 1
        assert set(titles(first)).isdisjoint(titles(third))
        assert b'rel="next"' in first.content
        # Results are ordered by relevance, not date: the links say so.
        assert "Next results" in first.content.decode()
        assert "Previous results" in third.content.decode()
        assert "Older posts" not in first.content.decode()

    @pytest.mark.parametrize("page", ["abc", "-1", "0", "99", "99999999999999999999", "1.5"])
    def test_bad_page_numbers_are_404(self, client, posts, page):
        assert client.get("/search/", {"q": "ballmer", "page": page}).status_code == 404

    def test_query_count_is_fixed(self, client, tree, settings):
        """As many queries with 2 results as with 8: the first search after a change (all
        read afresh) and the next (blogs, authors and the results' posts remembered)."""
        from byline.core import frame

        def counted() -> int:
            with CaptureQueriesContext(connection) as captured:
                client.get("/search/", {"q": "ballmer"})
            return len(captured)

        for day in range(1, 3):
            make_post(tree.blog, title=f"Ballmer {day}", authors=[tree.author])
        client.get("/search/", {"q": "ballmer"})  # warm the per-process caches
        frame.bump()
        few = counted(), counted()
        for day in range(3, 9):
            make_post(tree.blog, title=f"Ballmer {day}", authors=[tree.author], tags=["X"])
        client.get("/search/", {"q": "ballmer"})
        frame.bump()
        many = counted(), counted()
        assert many == few
        assert few[0] > few[1] > 0


@pytest.mark.django_db
class TestIndexUpkeep:
    def test_edit_is_found_under_new_words(self, client, tree):
        post = make_post(tree.blog, title="Before", body=para("Old words."))
        post.title = "After"
        post.body = para("Completely fresh vocabulary.")
        post.save_revision().publish()
        assert titles(client.get("/search/", {"q": "fresh"})) == ["After"]
        assert titles(client.get("/search/", {"q": "old"})) == []

    def test_unsaved_draft_words_are_not_searchable(self, client, tree):
        post = make_post(tree.blog, title="Published", body=para("Visible text."))
        post.body = para("Draft secret.")
        post.save_revision()
        assert titles(client.get("/search/", {"q": "secret"})) == []

    def test_renamed_author_is_found_by_the_new_name(self, client, tree):
        make_post(tree.blog, title="Column", authors=[tree.author])
        tree.author.name = "Scotty Beckerman"
        tree.author.save()
        assert titles(client.get("/search/", {"q": "beckerman"})) == ["Column"]


@pytest.mark.django_db
class TestBadInput:
    @pytest.mark.parametrize(
        "query",
        [
            "",
            " ",
            "x" * 5000,
            "ballmer " * 1000,
            '"',
            '"unterminated phrase',
            "ballmer AND OR NOT",
            "NEAR(ballmer keynote)",
            "ballmer*",
            "*",
            "-ballmer",
            "title:ballmer",
            "{title}: ballmer",
            "ballmer^2",
            "100%",
            "'; DROP TABLE blogs_postpage; --",
            "日本語のブログ",
            "Кирилл",
            "🙂🙂",
            "ballmer\x00",
            "\x00",
            "<script>alert(1)</script>",
            "<b>ballmer</b>",
            "%s %(x)s",
        ],
    )
    def test_never_500_and_query_shown_escaped(self, client, posts, query):
        response = client.get("/search/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "<b>ballmer</b>" not in html
        if query.strip() and query.strip("\x00"):
            shown = response.context["outcome"].query
            assert shown == shown.replace("\x00", "")

    def test_operators_are_words_not_syntax(self, client, posts):
        assert titles(client.get("/search/", {"q": "ballmer OR azure"})) == []
        assert titles(client.get("/search/", {"q": "-ballmer"})) == titles(
            client.get("/search/", {"q": "ballmer"})
        )

    def test_markup_query_is_shown_escaped(self, client, posts):
        response = client.get("/search/", {"q": "<i>ballmer</i>"})
        assert "&lt;i&gt;ballmer&lt;/i&gt;" in response.content.decode()

    def test_huge_query_is_cut(self):
        assert len(" ".join(parse("word " * 5000).words)) <= MAX_QUERY_CHARS

    def test_fts5_expression_quotes_every_token(self):
        expression = fts5_expression(parse('AND "a b" c* NOT'))
        assert expression == '{title body}: ("and" AND "c" AND "not" AND "a b")'

    def test_post_is_405(self, client, tree):
        assert client.post("/search/", {"q": "x"}).status_code == 405


@pytest.mark.django_db
def test_search_page_has_form_and_noindex(client, tree):
    response = client.get("/search/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="search"' in html
    assert '<meta name="robots" content="noindex, follow">' in html
    assert '<a href="/search/">Search</a>' in html
