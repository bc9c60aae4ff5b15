"""Listing counts kept between renders (counts.py) are exact after every kind of change, and
the plans that read listings fast at scale show the same posts as the plain queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from byline.blogs import counts
from byline.blogs.models import BlogPage, PostPage
from byline.core.signals import site_changed
from tests.factories import AuthorFactory, make_post, publish


def at(year, month, day, hour=12):
    return datetime.datetime(year, month, day, hour, tzinfo=datetime.UTC)


def page_of(html: str) -> tuple[int, int] | None:
    match = re.search(r"Page (\d+) of (\d+)", html)
    return (int(match.group(1)), int(match.group(2))) if match else None


def archive_count(client, label: str) -> str | None:
    html = client.get("/blogs/bekkers-blog/archive/").content.decode()
    match = re.search(rf'>{label}</a> <span class="count">\((\d+)\)</span>', html)
    return match.group(1) if match else None


@pytest.mark.django_db
class TestCountsFollowChanges:
    def test_publish_unpublish_and_delete(self, client, tree, settings):
        settings.BYLINE_POSTS_PER_PAGE = 2
        posts = [make_post(tree.blog, date=at(2011, 7, day)) for day in (1, 2)]
        assert archive_count(client, "July 2011") == "2"
        assert page_of(client.get("/blogs/bekkers-blog/").content.decode()) is None

        make_post(tree.blog, date=at(2011, 7, 3))
        assert archive_count(client, "July 2011") == "3"
        assert page_of(client.get("/blogs/bekkers-blog/").content.decode()) == (1, 2)
        assert client.get("/blogs/bekkers-blog/2011/07/?page=2").status_code == 200

        posts[0].unpublish()
        assert archive_count(client, "July 2011") == "2"
        assert client.get("/blogs/bekkers-blog/?page=2").status_code == 404

        posts[1].delete()
        assert archive_count(client, "July 2011") == "1"
        assert client.get("/blogs/bekkers-blog/2011/").status_code == 200

    def test_a_post_moved_to_another_blog(self, client, tree):
        other = publish(tree.blogs, BlogPage(title="Other", slug="other"))
        post = make_post(tree.blog, date=at(2011, 7, 13))
        make_post(tree.blog, date=at(2011, 5, 1))
        assert archive_count(client, "July 2011") == "1"
        post.move(other, pos="last-child")
        assert archive_count(client, "July 2011") is None
        assert client.get("/blogs/bekkers-blog/2011/07/").status_code == 404
        assert client.get("/blogs/other/2011/07/").status_code == 200

    def test_a_change_written_in_bulk_says_so(self, client, tree):
        """Imports and the demo write posts without publishing them one by one; they send
        site_changed, which starts the counts anew."""
        make_post(tree.blog, date=at(2011, 7, 13))
        assert archive_count(client, "July 2011") == "1"
        post = make_post(tree.blog, date=at(2011, 7, 14), live=False)
        type(post).objects.filter(pk=post.pk).update(live=True)  # as a bulk write does
        assert archive_count(client, "July 2011") == "1"
        site_changed.send(sender=type(post), reason="import")
        assert archive_count(client, "July 2011") == "2"

    def test_counts_are_read_once_per_generation(self, client, tree):
        make_post(tree.blog, date=at(2011, 7, 13))
        client.get("/blogs/bekkers-blog/archive/")
        with CaptureQueriesContext(connection) as warm:
            client.get("/blogs/bekkers-blog/archive/")
        counts.posts_changed()
        with CaptureQueriesContext(connection) as cold:
            client.get("/blogs/bekkers-blog/archive/")
        counted = [q for q in cold.captured_queries if "COUNT(" in q["sql"].upper()]
        assert len(cold) == len(warm) + len(counted) and counted

    def test_a_process_keeps_counts_it_read_for_their_generation(self, tree, monkeypatch):
        """Within a generation a process reads each count from the shared cache once (a
        post page asks for its blog's archive on every render); a change is seen at once."""
        make_post(tree.blog, date=at(2011, 7, 13))
        assert counts.blog_post_count(tree.blog) == 1
        reads = []
        shared_get = counts.cache.get

        def get(key, *args, **kwargs):
            reads.append(key)
            return shared_get(key, *args, **kwargs)

        monkeypatch.setattr(counts.cache, "get", get)
        assert counts.blog_post_count(tree.blog) == 1
        assert reads == [counts.GENERATION_KEY]

        monkeypatch.setattr(counts, "KEEP_IN_PROCESS_SECONDS", 0)
        make_post(tree.blog, date=at(2011, 7, 14))
        assert counts.blog_post_count(tree.blog) == 2
        reads.clear()
        assert counts.blog_post_count(tree.blog) == 2
        assert len(reads) == 2  # the generation, then the count: this process's copy ran out

    def test_the_site_count_builds_its_queryset_only_to_count(self, tree):
        """Every post page asks for the site's count; building the queryset each time cost
        more than reading the kept number."""
        make_post(tree.blog, date=at(2011, 7, 13))
        built = []

        def published():
            built.append(1)
            return PostPage.objects.published()

        assert counts.site_post_count(published) == 1
        assert counts.site_post_count(published) == 1
        assert len(built) == 1
        counts.posts_changed()
        make_post(tree.blog, date=at(2011, 7, 14))
        assert counts.site_post_count(published) == 2
        assert len(built) == 2


@pytest.mark.django_db
class TestListingPlans:
    @pytest.mark.parametrize(
        ("older", "others"), [(8, 0), (0, 30)], ids=["busy blog", "small blog in a big site"]
    )
    def test_neighbours_agree_in_both_plans(self, client, tree, older, others):
        """12 posts alone walk the date index; 4 beside 30 others sort their own."""
        other = publish(tree.blogs, BlogPage(title="Other", slug="other"))
        for n in range(others):
            make_post(other, date=at(2012, 1, 1 + n % 28, hour=n % 24))
        for n in range(older):
            make_post(tree.blog, date=at(2010, 1 + n, 1))
        same_time = at(2011, 7, 13)
        first = make_post(tree.blog, title="First", date=at(2011, 7, 1))
        middle = make_post(tree.blog, title="Middle", date=same_time)
        twin = make_post(tree.blog, title="Twin", date=same_time)  # a tie, ordered by id
        last = make_post(tree.blog, title="Last", date=at(2011, 8, 2))
        small = counts.blog_post_count(tree.blog) ** 2 <= 10 * counts.site_post_count(
            PostPage.objects.published
        )
        assert small == bool(others)
        html = client.get(middle.url).content.decode()
        assert f'rel="prev" href="{first.url}"' in html
        assert f'rel="next" href="{twin.url}"' in html
        html = client.get(twin.url).content.decode()
        assert f'rel="prev" href="{middle.url}"' in html
        assert f'rel="next" href="{last.url}"' in html
        assert 'rel="next"' not in client.get(last.url).content.decode()

    def test_author_pages_page_through_every_post_once(self, client, tree, settings):
        settings.BYLINE_POSTS_PER_PAGE = 3
        other = AuthorFactory()
        mine = [
            make_post(
                tree.blog,
                title=f"Mine {n}",
                date=at(2011, 1 + n % 12, 1 + n, hour=n),
                authors=[tree.author],
            )
            for n in range(7)
        ]
        make_post(tree.blog, title="Theirs", authors=[other])
        make_post(tree.blog, title="Draft of mine", authors=[tree.author], live=False)
        seen = []
        for number in (1, 2, 3):
            html = client.get(f"/authors/scott-bekker/?page={number}").content.decode()
            assert page_of(html) == (number, 3)
            seen += re.findall(r">(Mine \d+)<", html)
        newest_first = sorted(mine, key=lambda post: (post.date, post.pk), reverse=True)
        assert seen == [post.title for post in newest_first]
        assert client.get("/authors/scott-bekker/?page=4").status_code == 404

    def test_tag_page_counts_only_published_posts(self, client, tree):
        make_post(tree.blog, title="Tagged draft", tags=["azure"], live=False)
        assert client.get("/tags/azure/").status_code == 404
        make_post(tree.blog, title="Tagged", tags=["azure"])
        html = client.get("/tags/azure/").content.decode()
        assert "Tagged" in html and "Tagged draft" not in html


@pytest.mark.django_db
def test_a_cache_that_does_not_answer_costs_a_count_not_the_page(client, tree, monkeypatch):
    """The counts' cache failing (Redis unreachable) leaves the page right, counted afresh;
    a publish still goes through."""

    class Unreachable:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                raise ConnectionError("cache down")

            return fail

    make_post(tree.blog, date=at(2011, 7, 13))
    monkeypatch.setattr(counts, "cache", Unreachable())
    make_post(tree.blog, date=at(2011, 7, 14))
    assert archive_count(client, "July 2011") == "2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "zone", ["UTC", "Asia/Tokyo", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago"]
)
def test_archive_months_are_the_site_time_zones(tree, settings, zone):
    """Posts at month edges, at DST changes and in between land in the month of the site's
    time zone, as their addresses say, whichever way the database counts them."""
    import random
    import zoneinfo

    from byline.blogs.archive import archive_years

    settings.TIME_ZONE = zone
    rng = random.Random(zone)
    moments = [
        datetime.datetime(2011, month, 1, tzinfo=datetime.UTC)
        + datetime.timedelta(hours=rng.choice([-15, -11, -5, -1, 0, 1, 5, 9, 14, 15]))
        for month in range(1, 13)
    ] + [
        datetime.datetime(2010, 1, 1, tzinfo=datetime.UTC)
        + datetime.timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        for _ in range(40)
    ]
    for moment in moments:
        make_post(tree.blog, date=moment)
    local = zoneinfo.ZoneInfo(zone)
    expected: dict[datetime.date, int] = {}
    for moment in moments:
        month = moment.astimezone(local).date().replace(day=1)
        expected[month] = expected.get(month, 0) + 1
    got = {m.month: m.count for year in archive_years(tree.blog.posts()) for m in year.months}
    assert got == expected
    assert [y.year for y in archive_years(tree.blog.posts())] == sorted(
        {month.year for month in expected}, reverse=True
    )


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York", "Pacific/Kiritimati"])
def test_year_and_month_pages_list_the_posts_of_the_site_time_zones(client, tree, settings, zone):
    """A post at a month's or year's edge is listed on the page of its local month and year,
    and on no other, as the archive counts it and its address says."""
    import zoneinfo

    settings.TIME_ZONE = zone
    settings.BYLINE_POSTS_PER_PAGE = 100
    local = zoneinfo.ZoneInfo(zone)
    posts = [
        make_post(tree.blog, title=f"Edge {number}", slug=f"edge-{number}", date=moment)
        for number, moment in enumerate(
            datetime.datetime(year, month, 1, tzinfo=datetime.UTC) + datetime.timedelta(hours=hours)
            for year, month in ((2011, 1), (2011, 7), (2012, 1))
            for hours in (-15, -1, 0, 1, 14)
        )
    ]
    by_month: dict[tuple[int, int], set[str]] = {}
    for post in posts:
        moment = post.date.astimezone(local)
        by_month.setdefault((moment.year, moment.month), set()).add(post.title)
    for (year, month), titles in by_month.items():
        html = client.get(f"/blogs/bekkers-blog/{year}/{month:02d}/").content.decode()
        assert set(re.findall(r">(Edge \d+)</a>", html)) == titles, (year, month)
    for year in {year for year, _ in by_month}:
        html = client.get(f"/blogs/bekkers-blog/{year}/").content.decode()
        expected = set().union(*(t for (y, _), t in by_month.items() if y == year))
        assert set(re.findall(r">(Edge \d+)</a>", html)) == expected, year


@pytest.mark.django_db
def test_the_archive_list_is_made_once_per_generation_of_the_counts(client, tree):
    from byline.core import frame

    def archives_kept() -> int:
        return sum(1 for key in frame._per_page if key[:2] == ("fragment", "blog-archive"))

    frame.forget()
    make_post(tree.blog, date=at(2011, 7, 13))
    assert archive_count(client, "July 2011") == "1"
    assert archives_kept() == 1
    # New counts without a new content version (a cache that lost the generation): the list
    # is made again from them, not taken from the one kept.
    counts.posts_changed()
    client.get("/blogs/bekkers-blog/archive/", {"fresh": "1"})
    assert archives_kept() == 2
