"""Deterministic synthetic posts for benchmarks and scale tests, inserted in bulk.

Saving 100,000 Wagtail pages one by one takes hours (each save walks the tree, writes a
revision and the reference index); these rows are written the way the tree would have
written them, a few thousand per statement, and each batch is added to the search index in
bulk as it goes (`update_index` afterwards would read every post back one more time).
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from taggit.models import Tag
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backends

from byline.blogs.models import (
    Author,
    BlogIndexPage,
    BlogPage,
    PostPage,
    PostPageAuthor,
    PostPageTag,
)
from byline.core.bulk import insert_own_rows
from byline.core.signals import site_changed

BLOGS = [
    ("Channel Strategy", "channel-strategy"),
    ("Cloud Desk", "cloud-desk"),
    ("Security Watch", "security-watch"),
    ("The Licensing Column", "licensing-column"),
]
AUTHORS = [
    "Ada Okafor",
    "Bruno Lindqvist",
    "Chen Wei",
    "Dolores Haze",
    "Emeka Nwosu",
    "Farah Haddad",
    "Gustavo Pereira",
    "Hana Kobayashi",
]
TAGS = [
    "Azure",
    "Windows",
    "Office",
    "Licensing",
    "Security",
    "AI",
    "Partners",
    "Channel",
    "Cloud",
    "Dynamics",
    "Teams",
    "SharePoint",
    "Exchange",
    "Copilot",
    "Hardware",
    "Events",
    "Earnings",
    "Acquisitions",
    "Open Source",
    "Linux",
    "Developers",
    "Identity",
    "Compliance",
    "Surface",
    "Xbox",
    "Data",
    "Networking",
    "Storage",
    "Support",
    "Careers",
]
WORDS = [
    "partner",
    "channel",
    "cloud",
    "licensing",
    "security",
    "customer",
    "revenue",
    "margin",
    "service",
    "platform",
    "migration",
    "strategy",
    "keynote",
    "product",
    "roadmap",
    "pricing",
    "managed",
    "workload",
    "identity",
    "compliance",
    "growth",
    "analyst",
    "market",
    "quarter",
    "program",
    "incentive",
    "competency",
    "ecosystem",
    "deployment",
]
START = datetime.datetime(2011, 1, 1, 8, 0, tzinfo=datetime.UTC)
SPAN_SECONDS = 15 * 365 * 24 * 3600
BATCH = 2000


def _sentence(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def _ensure_blogs_and_authors() -> tuple[list[BlogPage], list[Author], list[Tag]]:
    index = BlogIndexPage.objects.first()
    if index is None:
        raise RuntimeError("no blog index: run `byline demo` (without --posts) first")
    blogs = []
    for title, slug in BLOGS:
        blog = BlogPage.objects.child_of(index).filter(slug=slug).first()
        if blog is None:
            blog = BlogPage(
                title=title, slug=slug, description=f"<p>{title}, a synthetic column.</p>"
            )
            index.add_child(instance=blog)
            blog.save_revision().publish()
        blogs.append(blog)
    authors = [
        Author.objects.get_or_create(
            slug=name.lower().replace(" ", "-"), defaults={"name": name, "role": "Columnist"}
        )[0]
        for name in AUTHORS
    ]
    tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
    return blogs, authors, tags


def _chunks(total: int, size: int) -> Iterator[range]:
    for start in range(0, total, size):
        yield range(start, min(start + size, total))


def add_synthetic_posts(count: int, *, seed: int = 2011) -> int:
    """Add `count` posts spread over the synthetic blogs, authors, tags and 15 years.

    The same seed and the same starting site give the same posts; calling again adds more
    (numbered after the ones already there).
    """
    blogs, authors, tags = _ensure_blogs_and_authors()
    content_type = ContentType.objects.get_for_model(PostPage)
    locale = Locale.get_default()
    already = PostPage.objects.filter(slug__startswith="synthetic-").count()
    rng = random.Random(seed + already)
    # Posts are written in date order, as a publication writes them, so that page ids (and
    # search index rows) grow with the date; search walks matches by index row, newest first.
    dates = sorted(
        START + datetime.timedelta(seconds=rng.randrange(SPAN_SECONDS)) for _ in range(count)
    )
    for chunk in _chunks(count, BATCH):
        with transaction.atomic():
            pks = _insert_batch(
                chunk, already, blogs, authors, tags, content_type, locale, rng, dates
            )
            index_posts(pks)
    # Written in bulk, without the signals a publish sends: purge stored pages and counts.
    site_changed.send(sender=PostPage, reason="demo")
    return count


def index_posts(pks: list[int]) -> None:
    """Add these posts to every search backend that Wagtail keeps up to date, in one bulk
    call per backend: the same rows `update_index` would write, a batch at a time."""
    # Wagtail prefetches one level of a RelatedFields; the byline's author is the second.
    posts = list(
        PostPage.get_indexed_objects()
        .filter(pk__in=pks)
        .prefetch_related("post_authors__author")
        .order_by("pk")
    )
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(PostPage, posts)


def _insert_batch(
    chunk, already, blogs, authors, tags, content_type, locale, rng, dates
) -> list[int]:
    next_step = {}
    for blog in blogs:
        blog.refresh_from_db(fields=["path", "depth", "numchild", "url_path"])
        last = blog.get_last_child()
        next_step[blog.pk] = (last._get_lastpos_in_path() + 1) if last else 1
    pages, posts, bylines, taggings = [], [], [], []
    added = dict.fromkeys(next_step, 0)
    for i in chunk:
        number = already + i + 1
        blog = blogs[number % len(blogs)]
        date = dates[i]
        title = _sentence(rng, rng.randint(4, 9))[:-1]
        slug = f"synthetic-{number}"
        step = next_step[blog.pk] + added[blog.pk]
        added[blog.pk] += 1
        pages.append(
            Page(
                title=title,
                draft_title=title,
                slug=slug,
                content_type=content_type,
                path=Page._get_path(blog.path, blog.depth + 1, step),
                depth=blog.depth + 1,
                numchild=0,
                url_path=f"{blog.url_path}{slug}/",
                live=True,
                has_unpublished_changes=False,
                first_published_at=date,
                last_published_at=date,
                locale=locale,
                translation_key=uuid.uuid4(),
            )
        )
        body = [
            {
                "type": "paragraph",
                "value": f"<p>{_sentence(rng, rng.randint(30, 80))}</p>",
                "id": str(uuid.UUID(int=rng.getrandbits(128))),
            }
            for _ in range(rng.randint(2, 6))
        ]
        posts.append((date, _sentence(rng, 20), body))
        bylines.append(rng.sample(authors, 2 if rng.random() < 0.1 else 1))
        taggings.append(rng.sample(tags, rng.randint(1, 4)))
    Page.objects.bulk_create(pages)
    children = []
    for page, (date, excerpt, body) in zip(pages, posts, strict=True):
        post = PostPage(page_ptr_id=page.pk, date=date, excerpt=excerpt, body=body)
        children.append(post)
    insert_own_rows(PostPage, children)
    PostPageAuthor.objects.bulk_create(
        PostPageAuthor(post_id=page.pk, author=author, sort_order=position)
        for page, authors_of_post in zip(pages, bylines, strict=True)
        for position, author in enumerate(authors_of_post)
    )
    PostPageTag.objects.bulk_create(
        PostPageTag(content_object_id=page.pk, tag=tag)
        for page, tags_of_post in zip(pages, taggings, strict=True)
        for tag in tags_of_post
    )
    for blog in blogs:
        if added[blog.pk]:
            Page.objects.filter(pk=blog.pk).update(numchild=blog.numchild + added[blog.pk])
    return [page.pk for page in pages]
