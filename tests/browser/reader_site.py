"""A reader's whole site for the page-wide browser checks (axe-core, screenshots): the reference
content plus what it lacks to show every kind of reader page: the columnist's photo, a comment
thread with a reply and a mention, a correction, standard pages and a password-protected one."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from byline.blogs.models import Author, BlogPage, PostPage, PostPageAuthor
from byline.comments.models import CommentKind, CommentStatus, ReaderComment
from byline.corrections.models import Correction, CorrectionKind
from byline.demo.reference import POST_SLUG, load_reference_content
from byline.publication.models import StandardPage

POST_URL = f"/blogs/bekkers-blog/2011/07/{POST_SLUG}/"
# The column's post with a lead image, a caption and a credit.
LEAD_IMAGE_POST_URL = "/blogs/bekkers-blog/2011/07/partners-weigh-the-cost-of-the-cloud-pivot/"
PASSWORD = "partners"


@dataclass
class ReaderSite:
    post: PostPage
    about: StandardPage
    members: StandardPage


def _portrait() -> Image.Image:
    """A drawn head and shoulders, as a columnist's photo would sit in a byline."""
    image = Image.new("RGB", (400, 400), "#d8d2c4")
    draw = ImageDraw.Draw(image)
    draw.ellipse((70, 250, 330, 520), fill="#3b4a5a")
    draw.ellipse((130, 80, 270, 240), fill="#c99a77")
    draw.pieslice((125, 70, 275, 200), 180, 360, fill="#4a3626")
    return image


def _chart() -> Image.Image:
    """A bar chart, as a column's lead image might be."""
    image = Image.new("RGB", (1200, 675), "#f3efe6")
    draw = ImageDraw.Draw(image)
    for index, height in enumerate((220, 310, 280, 400, 470)):
        left = 180 + index * 180
        draw.rectangle((left, 600 - height, left + 110, 600), fill="#9b1c1c")
    draw.line((140, 600, 1080, 600), fill="#1b1b1d", width=6)
    return image


# Earlier posts of the column, so that its front page, archive and "More from" have a
# list: (title, slug, date, standfirst).
COLUMN_POSTS = [
    (
        "Partners Weigh the Cost of the Cloud Pivot",
        "partners-weigh-the-cost-of-the-cloud-pivot",
        datetime.datetime(2011, 7, 6, 12, 0, tzinfo=datetime.UTC),
        "Recurring revenue sounds better than it pays in year one. Partners at WPC did the "
        "sums out loud.",
    ),
    (
        "What the New Partner Network Means for Small Shops",
        "what-the-new-partner-network-means-for-small-shops",
        datetime.datetime(2011, 6, 22, 12, 0, tzinfo=datetime.UTC),
        "Competencies replace the old tiers. For a ten-person reseller, the paperwork is the "
        "real test.",
    ),
    (
        "Five Questions for Microsoft's Channel Chief",
        "five-questions-for-microsofts-channel-chief",
        datetime.datetime(2011, 6, 8, 12, 0, tzinfo=datetime.UTC),
        "Ahead of the conference, the channel chief on incentives, Office 365 and who owns "
        "the customer.",
    ),
]


def _column_posts(blog: BlogPage, author: Author) -> None:
    chart = _save_image(
        _chart(), title="Partner revenue", alt="A bar chart of rising revenue", name="chart.jpg"
    )
    for index, (title, slug, date, excerpt) in enumerate(COLUMN_POSTS):
        post = PostPage(
            title=title,
            slug=slug,
            date=date,
            excerpt=excerpt,
            body=[("paragraph", f"<p>{excerpt}</p>")],
            lead_image=chart if index == 0 else None,
        )
        if index == 0:
            post.lead_image_caption = "Partner revenue from cloud services, 2007 to 2011."
            post.lead_image_credit = "Chart: The Partner Channel"
        post.post_authors.add(PostPageAuthor(author=author, sort_order=0))
        post.tags.add("Partners")
        blog.add_child(instance=post)
        post.save_revision().publish()


def _save_image(drawing: Image.Image, *, title: str, alt: str, name: str):
    buffer = io.BytesIO()
    drawing.save(buffer, "JPEG", quality=85)
    buffer.seek(0)
    image = get_image_model()(title=title, description=alt, file=ImageFile(buffer, name=name))
    image._set_image_file_metadata()
    image.save()
    return image


def _publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def build_reader_site() -> ReaderSite:
    """The reference site with one of each thing a reader page can show."""
    home = load_reference_content()
    bekker = Author.objects.get(slug="scott-bekker")
    bekker.photo = _save_image(
        _portrait(), title="Scott Bekker", alt="Scott Bekker", name="scott-bekker.jpg"
    )
    bekker.short_bio = "Editor in Chief; on Microsoft and its partners since 2001."
    bekker.save()

    post = PostPage.objects.get(slug=POST_SLUG)
    _column_posts(post.get_parent().specific, bekker)
    when = datetime.datetime(2011, 7, 13, 15, 0, tzinfo=datetime.UTC)
    ann = ReaderComment.objects.create(
        post=post,
        name="Ann Partner",
        email="ann@example.com",
        website="https://example.com/ann",
        body="He does get partners. The keynote was the best part of WPC this year.",
        status=CommentStatus.APPROVED,
        created=when,
    )
    ReaderComment.objects.create(
        post=post,
        parent=ann,
        name="Bob Reseller",
        email="bob@example.com",
        body="Agreed, though Wall Street will not be moved by a keynote.",
        status=CommentStatus.APPROVED,
        created=when + datetime.timedelta(hours=2),
    )
    ReaderComment.objects.create(
        post=post,
        name="Channel Notes",
        email="notes@example.com",
        website="https://example.org/channel-notes/ballmer",
        body="Ballmer and the partners",
        kind=CommentKind.PINGBACK,
        status=CommentStatus.APPROVED,
        created=when + datetime.timedelta(days=1),
    )
    Correction.objects.create(
        post=post,
        kind=CorrectionKind.CLARIFICATION,
        text="The keynote was given on July 11, not July 12 as first written.",
    )

    # The demo's own "About" and "Privacy" (byline/demo/reference.py).
    about = StandardPage.objects.child_of(home).get(slug="about")
    members = _publish(
        home,
        StandardPage(
            title="Members",
            slug="members",
            body=[("paragraph", "<p>For members only.</p>")],
        ),
    )
    PageViewRestriction.objects.create(
        page=members, restriction_type=PageViewRestriction.PASSWORD, password=PASSWORD
    )
    return ReaderSite(post=post, about=about, members=members)
