"""insert_own_rows(): the rows bulk_create would write, numbered by the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import PageLogEntry, Site

from byline.core.bulk import insert_own_rows
from tests.factories import build_site_tree


@pytest.mark.django_db
def test_rows_are_written_as_bulk_create_writes_them():
    site = Site.objects.get(is_default_site=True)
    made = [
        Redirect(site=site, old_path=f"/old/{n}", redirect_link=f"https://new.example/{n}")
        for n in range(3)
    ]
    insert_own_rows(Redirect, made)
    assert [redirect.pk for redirect in made] == [None, None, None]  # not read back
    rows = Redirect.objects.filter(old_path__startswith="/old/").order_by("id")
    assert [(r.old_path, r.redirect_link, r.is_permanent, r.site_id) for r in rows] == [
        (f"/old/{n}", f"https://new.example/{n}", True, site.pk) for n in range(3)
    ]
    assert len({row.pk for row in rows}) == 3


@pytest.mark.django_db
def test_json_survives():
    tree = build_site_tree()
    insert_own_rows(
        PageLogEntry,
        [PageLogEntry(page=tree.blog, action="x.test", data={"a": [1]}, timestamp=timezone.now())],
    )
    entry = PageLogEntry.objects.get(action="x.test")
    assert (entry.data, entry.page_id, entry.timestamp is not None) == (
        {"a": [1]},
        tree.blog.pk,
        True,
    )


@pytest.mark.django_db
def test_a_conflict_fails_unless_ignored():
    site = Site.objects.get(is_default_site=True)
    insert_own_rows(Redirect, [Redirect(site=site, old_path="/twice", redirect_link="https://a/")])
    again = [
        Redirect(site=site, old_path="/twice", redirect_link="https://b/"),
        Redirect(site=site, old_path="/once", redirect_link="https://c/"),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_own_rows(Redirect, again)
    insert_own_rows(Redirect, again, ignore_conflicts=True)
    found = dict(Redirect.objects.values_list("old_path", "redirect_link"))
    assert (found["/twice"], found["/once"]) == ("https://a/", "https://c/")
