"""Pages and comments listed before their parents: each still lands under its parent.

out-of-order.xml lists, in this order: a grandchild page, its parent "child", a second child,
their parent, and a second grandchild; a page under a trashed page, a page below that one,
then the trashed page itself; and a post whose comments answer comments further down, loop
(5 answers 6, 6 answers 5), or answer a comment that is refused (its status is unknown).
"""

from __future__ import annotations

from byline.comments.models import ReaderComment
from byline.importers.tests.test_import import run_import, snapshot
from byline.publication.models import StandardPage


def parent_of(slug: str) -> str:
    return StandardPage.objects.get(slug=slug).get_parent().slug


def test_a_page_before_its_parent_waits_for_it(tree):
    run_import("out-of-order.xml", "--blog", "order")
    assert StandardPage.objects.get(slug="grandchild").url == "/parent/child/grandchild/"
    parent = StandardPage.objects.get(slug="parent")
    assert [page.slug for page in parent.get_children()] == ["child", "second-child"]


def test_pages_that_waited_keep_their_order_in_the_file(tree):
    """Both grandchildren wait for "child", which waits for "parent", listed between them:
    they still go under "child" in file order (WordPress's theme unit data has this case:
    Level 3, Level 2, Level 1, ... Level 3a, Level 3b)."""
    run_import("out-of-order.xml", "--blog", "order")
    child = StandardPage.objects.get(slug="child")
    assert [page.slug for page in child.get_children()] == ["grandchild", "second-grandchild"]


def test_a_page_whose_parent_was_not_imported_goes_to_the_top(tree):
    """The trashed page is not imported, so the page under it goes to the top level, and so
    does the page that waited below that one."""
    report = run_import("out-of-order.xml", "--blog", "order")
    assert "status 'trash' is not imported" in report
    assert parent_of("under-trash") == parent_of("below-under-trash") == tree.home.slug


def test_replies_listed_before_what_they_answer_keep_their_thread(tree):
    run_import("out-of-order.xml", "--blog", "order")
    comments = {c.body: c for c in ReaderComment.objects.all()}
    assert comments["First"].parent is None
    assert comments["Second, answering the first"].parent == comments["First"]
    assert comments["Third, answering the second"].parent == comments["Second, answering the first"]


def test_a_reply_loop_and_a_reply_to_a_refused_comment_go_to_the_top(tree):
    """5 and 6 answer each other, 7 answers 5: all three at the top level; 8 answers 9, which
    is refused."""
    report = run_import("out-of-order.xml", "--blog", "order")
    assert "comment 9: unknown status 'maybe'" in report
    comments = {c.body: c for c in ReaderComment.objects.all()}
    assert "Refused: unknown status" not in comments
    for body in ("Loop one", "Loop two", "Under the loop", "Answering a refused comment"):
        assert comments[body].parent is None


def test_a_second_run_changes_nothing(tree):
    run_import("out-of-order.xml", "--blog", "order")
    before = snapshot()
    report = run_import("out-of-order.xml", "--blog", "order")
    assert snapshot() == before
    assert "pages created" not in report and "comments created" not in report
