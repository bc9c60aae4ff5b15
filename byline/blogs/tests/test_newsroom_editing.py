"""Editing at the speed of a newsroom: a new post's byline from its blog, "Publish at…" in one
step, scheduled posts on the dashboard and the Pages menu opening at the publication."""

import datetime
import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import GroupPagePermission

from byline.blogs.forms import PUBLISH_AT
from byline.blogs.models import PostPage
from byline.blogs.tests.test_admin import post_form
from tests.factories import AuthorFactory, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, db):
    user = get_user_model().objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def new_post_url(tree) -> str:
    return f"/admin/pages/add/blogs/postpage/{tree.blog.pk}/"


def local_input(when: datetime.datetime) -> str:
    """A time as a datetime-local input sends it."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


class TestNewPostByline:
    def test_a_new_post_opens_with_the_blogs_columnists(self, editor_client, tree):
        second = AuthorFactory(name="Kurt Mackie", slug="kurt-mackie")
        tree.blog.columnists.set([tree.author, second])
        tree.blog.save_revision().publish()
        html = editor_client.get(new_post_url(tree)).content.decode()
        assert 'name="post_authors-TOTAL_FORMS" value="2"' in html
        assert 'name="post_authors-INITIAL_FORMS" value="0"' in html
        chosen = re.findall(r'name="post_authors-(\d)-author" value="(\d+)"', html)
        assert sorted(chosen) == [("0", str(second.pk)), ("1", str(tree.author.pk))]

    def test_the_prefilled_byline_is_saved_with_the_post(self, editor_client, tree):
        tree.blog.columnists.set([tree.author])
        tree.blog.save_revision().publish()
        response = editor_client.post(new_post_url(tree), post_form(tree))
        assert response.status_code == 302, response.content[:2000]
        assert PostPage.objects.get(slug="written-in-the-admin").authors == [tree.author]

    def test_a_blog_without_columnists_starts_with_no_author(self, editor_client, tree):
        html = editor_client.get(new_post_url(tree)).content.decode()
        assert 'name="post_authors-TOTAL_FORMS" value="0"' in html

    def test_editing_a_post_keeps_its_own_byline(self, editor_client, tree):
        other = AuthorFactory(name="Guest", slug="guest")
        tree.blog.columnists.set([tree.author])
        tree.blog.save_revision().publish()
        post = make_post(tree.blog, authors=[other])
        html = editor_client.get(f"/admin/pages/{post.pk}/edit/").content.decode()
        assert 'name="post_authors-TOTAL_FORMS" value="1"' in html
        assert re.findall(r'name="post_authors-0-author" value="(\d+)"', html) == [str(other.pk)]


class TestPublishAt:
    def publish_at(self, editor_client, tree, when: str, **form):
        data = {**post_form(tree, **form), "action-publish": PUBLISH_AT, "publish_at": when}
        return editor_client.post(new_post_url(tree), data, follow=True)

    def test_a_time_to_come_schedules_the_post(self, editor_client, tree):
        when = timezone.now() + datetime.timedelta(days=1, hours=3)
        response = self.publish_at(editor_client, tree, local_input(when))
        post = PostPage.objects.get(slug="written-in-the-admin")
        assert not post.live
        revision = post.scheduled_revision
        expected = when.replace(second=0, microsecond=0)
        assert revision is not None and revision.approved_go_live_at == expected
        assert "scheduled for publishing" in response.content.decode()

    def test_the_scheduler_publishes_it_then_and_dates_it(self, editor_client, tree):
        when = timezone.now() + datetime.timedelta(minutes=5)
        self.publish_at(editor_client, tree, local_input(when))
        post = PostPage.objects.get(slug="written-in-the-admin")
        call_command("publish_scheduled")  # too early: nothing goes live
        post.refresh_from_db()
        assert not post.live
        later = when + datetime.timedelta(minutes=1)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(timezone, "now", lambda: later)
            call_command("publish_scheduled")
        post.refresh_from_db()
        assert post.live
        assert post.date == when.replace(second=0, microsecond=0)

    def test_a_time_past_is_refused_with_a_clear_error(self, editor_client, tree):
        when = timezone.now() - datetime.timedelta(hours=2)
        response = self.publish_at(editor_client, tree, local_input(when))
        assert response.status_code == 200
        html = response.content.decode()
        assert "is in the past. Choose a time to come" in html
        assert not PostPage.objects.filter(slug="written-in-the-admin").exists()
        # What the editor typed is still there, in the dialog and the form.
        assert f'value="{local_input(when)}"' in html
        assert 'value="Written in the admin"' in html

    def test_no_time_is_refused(self, editor_client, tree):
        html = self.publish_at(editor_client, tree, "").content.decode()
        assert "Publish at: choose the date and time the post should go live." in html
        assert not PostPage.objects.filter(slug="written-in-the-admin").exists()

    def test_a_time_that_is_not_one_is_refused(self, editor_client, tree):
        html = self.publish_at(editor_client, tree, "next tuesday").content.decode()
        assert "Publish at: enter a date and a time" in html
        assert not PostPage.objects.filter(slug="written-in-the-admin").exists()

    def test_a_time_after_the_expiry_is_refused(self, editor_client, tree):
        expiry = timezone.now() + datetime.timedelta(days=1)
        when = expiry + datetime.timedelta(days=1)
        html = self.publish_at(
            editor_client,
            tree,
            local_input(when),
            expire_at=timezone.localtime(expiry).strftime("%Y-%m-%d %H:%M"),
        ).content.decode()
        assert "is after the post&#x27;s expiry time" in html
        assert not PostPage.objects.filter(slug="written-in-the-admin").exists()

    def test_a_time_is_ignored_by_plain_publish(self, editor_client, tree):
        """The dialog's field is sent with every button: only "Schedule" reads it."""
        past = timezone.now() - datetime.timedelta(hours=2)
        data = {**post_form(tree), "action-publish": "action-publish"}
        data["publish_at"] = local_input(past)
        assert editor_client.post(new_post_url(tree), data).status_code == 302
        assert PostPage.objects.get(slug="written-in-the-admin").live

    def test_the_menu_offers_it_on_posts_only(self, editor_client, tree):
        post = make_post(tree.blog)
        assert "Publish at…" in editor_client.get(f"/admin/pages/{post.pk}/edit/").content.decode()
        assert "Publish at…" in editor_client.get(new_post_url(tree)).content.decode()
        blog_form = editor_client.get(f"/admin/pages/{tree.blog.pk}/edit/").content.decode()
        assert "Publish at…" not in blog_form


@pytest.fixture
def writer(tree):
    """An editor who may write and edit in the blog but not publish."""
    group = Group.objects.create(name="Writers")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page"):
        GroupPagePermission.objects.create(
            group=group, page=tree.blog, permission=Permission.objects.get(codename=codename)
        )
    user = get_user_model().objects.create_user("writer", "writer@example.com", "pw")
    user.groups.add(group)
    return user


def test_writers_who_may_not_publish_are_not_offered_it(client, tree, writer):
    client.force_login(writer)
    post = make_post(tree.blog, live=False, date=None)
    assert "Publish at…" not in client.get(f"/admin/pages/{post.pk}/edit/").content.decode()
    assert "Publish at…" not in client.get(new_post_url(tree)).content.decode()


class TestDashboard:
    def test_scheduled_posts_are_listed_with_their_times(self, editor_client, tree):
        soon = timezone.now() + datetime.timedelta(hours=2)
        later = timezone.now() + datetime.timedelta(days=3)
        for title, when in (("Later one", later), ("Sooner one", soon)):
            post = make_post(tree.blog, title=title, live=False, date=None)
            post.go_live_at = when
            post.save_revision().publish()
        make_post(tree.blog, title="Already out")
        html = editor_client.get("/admin/").content.decode()
        panel = html[html.index("Scheduled posts") :]
        assert panel.index("Sooner one") < panel.index("Later one")
        assert "Already out" not in panel
        assert f'datetime="{timezone.localtime(soon).replace(microsecond=0).isoformat()}"' in panel
        assert timezone.localtime(later).strftime("%a %-d %b %Y, %H:%M") in panel

    def test_no_panel_when_nothing_is_scheduled(self, editor_client, tree):
        make_post(tree.blog)
        assert "Scheduled posts" not in editor_client.get("/admin/").content.decode()

    def test_only_posts_the_user_may_edit_are_listed(self, client, tree, writer):
        elsewhere = make_post(tree.blog, title="Elsewhere", live=False, date=None)
        elsewhere.go_live_at = timezone.now() + datetime.timedelta(hours=1)
        elsewhere.save_revision().publish()
        group = writer.groups.get()
        group.page_permissions.all().delete()
        GroupPagePermission.objects.create(
            group=group,
            page=tree.blogs,
            permission=Permission.objects.get(codename="change_page"),
        )
        client.force_login(writer)
        assert "Elsewhere" in client.get("/admin/").content.decode()
        # Adding pages at the top is not editing this one.
        GroupPagePermission.objects.filter(group=group).delete()
        GroupPagePermission.objects.create(
            group=group, page=tree.home, permission=Permission.objects.get(codename="add_page")
        )
        assert "Elsewhere" not in client.get("/admin/").content.decode()


def sidebar_explorer(html: str) -> tuple[str, int]:
    """The Pages menu item of the sidebar, as the admin sends it: (its link, its start page)."""
    props = json.loads(re.search(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', html).group(1))
    menu = next(m for m in props["modules"] if m["_type"] == "wagtail.sidebar.MainMenuModule")
    item = next(i for i in menu["_args"][0] if i["_type"] == "wagtail.sidebar.PageExplorerMenuItem")
    options, start_page_id = item["_args"]
    return options["url"], start_page_id


class TestPagesMenu:
    def test_it_opens_at_the_publication_for_a_superuser(self, editor_client, tree):
        explorer = sidebar_explorer(editor_client.get("/admin/").content.decode())
        assert explorer == (f"/admin/pages/{tree.home.pk}/", tree.home.pk)

    def test_an_editor_with_rights_over_the_whole_site_too(self, client, tree, writer):
        GroupPagePermission.objects.filter(group__user=writer).update(page=tree.home)
        client.force_login(writer)
        explorer = sidebar_explorer(client.get("/admin/").content.decode())
        assert explorer == (f"/admin/pages/{tree.home.pk}/", tree.home.pk)

    def test_an_editor_of_one_blog_keeps_their_blog(self, client, tree, writer):
        client.force_login(writer)
        explorer = sidebar_explorer(client.get("/admin/").content.decode())
        assert explorer == (f"/admin/pages/{tree.blog.pk}/", tree.blog.pk)
