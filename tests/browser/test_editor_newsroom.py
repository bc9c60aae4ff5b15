"""An editor's newsroom steps in chromium, inside the Wagtail admin: the page types read "Post",
"Blog" and "Page", the Pages menu opens at the publication, a new post starts with its blog's
columnist, "Publish at…" schedules a post in one step (and refuses a time past), and the
dashboard lists what is scheduled."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from byline.blogs.models import PostPage
from tests.browser.editors import sign_in, wait_for_admin_scripts
from tests.factories import build_site_tree, make_post

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def tree():
    tree = build_site_tree()
    tree.blog.columnists.set([tree.author])
    tree.blog.save_revision().publish()
    return tree


def listed_type(page, title: str) -> str:
    """The Type column of the explorer's row for `title`."""
    listing = page.locator("table.listing")
    header_cells = listing.locator("thead tr").first.locator("th, td")
    headers = [text.strip() for text in header_cells.all_inner_texts()]
    row = listing.locator("tbody tr").filter(has_text=title)
    return row.locator("th, td").nth(headers.index("Type")).inner_text().strip()


def test_page_types_read_post_blog_and_page(live_server, page, tree):
    make_post(tree.blog, title="A column", authors=[tree.author])
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/admin/pages/{tree.blog.pk}/")
    assert listed_type(page, "A column") == "Post"
    page.goto(f"{live_server.url}/admin/pages/{tree.blogs.pk}/")
    assert listed_type(page, "Bekker's Blog") == "Blog"
    # The publication takes one blog index, which it has: what is left to add is a Page.
    page.goto(f"{live_server.url}/admin/pages/{tree.home.pk}/add_subpage/")
    expect(page).to_have_title(re.compile(r"^New: Page\b"))


def test_the_pages_menu_opens_at_the_publication(live_server, page, tree):
    sign_in(page, live_server)
    page.get_by_role("button", name="Pages").click()
    explorer = page.get_by_role("dialog", name="Page explorer")
    # Its header is the publication, and it lists the publication's pages.
    header = explorer.get_by_role("link", name="Test Publication")
    expect(header).to_have_attribute("href", f"/admin/pages/{tree.home.pk}/")
    expect(explorer.get_by_role("heading", name="Blogs")).to_be_visible()
    expect(explorer.get_by_role("link", name="Root")).to_have_count(0)


def open_new_post(page, live_server, blog) -> None:
    page.goto(f"{live_server.url}/admin/pages/add/blogs/postpage/{blog.pk}/")
    wait_for_admin_scripts(page)


def test_a_new_post_starts_with_the_columnist(live_server, page, tree):
    sign_in(page, live_server)
    open_new_post(page, live_server, tree.blog)
    byline = page.locator("#id_post_authors-FORMS")
    expect(byline.get_by_text("Scott Bekker")).to_be_visible()
    page.locator("#id_title").fill("A columnist's post")
    page.locator("#id_title").press("Tab")  # the slug follows the title when it is left
    expect(page.locator("#id_slug")).to_have_value(re.compile(r"^a-columnist"))
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/*/edit/")
    assert PostPage.objects.get(title="A columnist's post").authors == [tree.author]


def publish_at(page, when: str) -> None:
    """The footer's menu, "Publish at…", a date and time, then "Schedule"."""
    page.get_by_role("button", name="More actions").click()
    page.get_by_role("button", name="Publish at…").click()
    dialog = page.get_by_role("dialog", name="Publish at…")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Date and time").fill(when)
    dialog.get_by_role("button", name="Schedule").click()


def open_draft(page, live_server, blog, title: str) -> PostPage:
    draft = make_post(blog, title=title, live=False, date=None, authors=[tree_author(blog)])
    page.goto(f"{live_server.url}/admin/pages/{draft.pk}/edit/")
    return draft


def tree_author(blog):
    return blog.columnists.get()


def test_publish_at_schedules_in_one_step_and_the_dashboard_lists_it(live_server, page, tree):
    sign_in(page, live_server)
    post = open_draft(page, live_server, tree.blog, "Tomorrow's column")
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    publish_at(page, when.strftime("%Y-%m-%dT%H:%M"))
    expect(page.locator(".messages")).to_contain_text("scheduled for publishing")
    post.refresh_from_db()
    assert not post.live
    assert post.scheduled_revision.approved_go_live_at == when

    page.goto(f"{live_server.url}/admin/")
    panel = page.locator("#scheduled-posts-content")
    row = panel.get_by_role("row").filter(has_text="Tomorrow's column")
    expect(row).to_contain_text(when.strftime("%a %-d %b %Y, 09:30"))
    expect(row).to_contain_text("Bekker's Blog")
    row.get_by_role("link", name="Tomorrow's column").click()
    page.wait_for_url(f"{live_server.url}/admin/pages/{post.pk}/edit/")


def test_publish_at_refuses_a_time_past(live_server, page, tree):
    sign_in(page, live_server)
    draft = open_draft(page, live_server, tree.blog, "Yesterday's column")
    page.locator("#id_title").fill("Yesterday's column, revised")
    past = timezone.localtime(timezone.now() - datetime.timedelta(days=1))
    publish_at(page, past.strftime("%Y-%m-%dT%H:%M"))
    expect(page.locator(".messages")).to_contain_text("is in the past")
    draft.refresh_from_db()
    assert not draft.live and draft.scheduled_revision is None
    # The form keeps what the editor wrote, and the dialog the time.
    expect(page.locator("#id_title")).to_have_value("Yesterday's column, revised")
    expect(page.locator("#id_publish_at")).to_have_value(past.strftime("%Y-%m-%dT%H:%M"))
