"""The reference page's content: Bekker's Blog, its columnist, the July 13, 2011 post, and the
stories of the page's Featured list with their images, as an editor would have entered them."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.db import transaction
from django.utils.text import slugify
from wagtail.models import Page, Site

from byline.blogs.models import Author, BlogIndexPage, BlogPage, PostPage, PostPageAuthor
from byline.core.links import base_url
from byline.demo.images import make_featured_image
from byline.featured.models import FeaturedItem, FeaturedList
from byline.publication.models import PublicationPage, StandardPage

PUBLICATION_TITLE = "The Partner Channel"
POST_SLUG = "why-partners-like-steve-ballmer"
POST_DATE = datetime.datetime(2011, 7, 13, 12, 0, tzinfo=datetime.UTC)

POST_BODY_PARAGRAPHS = [
    "<p>For all the grief that Microsoft CEO Steve Ballmer gets from Wall Street, he's "
    "extremely popular among Microsoft partners at the Worldwide Partner Conference. I regularly "
    "find myself in conversations with Microsoft partners who talk about the energy that they "
    'draw from a Ballmer keynote and tell me repeatedly that he "gets" partners.</p>',
    "<p>During his WPC keynote earlier this week, Ballmer gave a refreshingly realistic "
    "description of the choices that partners have and did a nice job articulating the unique "
    "role partners play in Microsoft's product development and business decisions.</p>",
    "<p>From the transcript (emphasis mine):</p>",
]

QUOTATION_HTML = (
    "<p>But I find that our partners have perhaps the most interesting and unique set of "
    "insights on our business of anybody on the planet. You're involved, you care, you spend "
    "time and energy studying and understanding what we're up to. You take the time to "
    "translate these technologies into the solutions that really change people's lives, and "
    "yet <b>you are independent business people who are coming to work every day cheering for "
    "us, but also understanding that you need to consider alternatives</b>. So, you're pushing "
    "us, pushing us, pushing us, pushing us to improve our performance.</p>"
    "<p>Customers aren't really quite as all-in as you are, and our employees have a hard time "
    "really pushing us as objectively as our partners.</p>"
)


def _paragraph(html: str) -> tuple[str, str]:
    return ("paragraph", html)


def _heading(text: str) -> tuple[str, dict]:
    return ("heading", {"text": text, "level": "h2", "anchor": ""})


# The footer's "About", "Contact" and "Privacy": a real site has them, and the privacy page
# says what Byline keeps about readers (comments, contact messages, newsletter subscriptions).
ABOUT_BODY = [
    _paragraph(
        "<p>The Partner Channel covers Microsoft and the companies that build, "
        "sell and support its products: news every day, and columns by people "
        "who have followed the channel for decades.</p>"
    ),
    _paragraph(
        "<p>Write to a columnist from the contact link on their page, or "
        "comment under any post. Corrections are listed, with their dates, on "
        "the corrections page.</p>"
    ),
]
PRIVACY_BODY = [
    _paragraph(
        "<p>Reading this site needs no account and sets no tracking cookie. "
        "Pages load no third-party scripts, fonts or share buttons, and no "
        "advertising.</p>"
    ),
    _heading("Comments"),
    _paragraph(
        "<p>When you comment we keep the name, e-mail address and website you "
        "give, the comment, whether you asked to hear of replies, and a salted "
        "hash of your network address for spam control (never the address "
        "itself). The e-mail address is never shown.</p>"
    ),
    _heading("Messages to authors"),
    _paragraph(
        "<p>A message sent through an author's contact form is kept only until "
        "it has been mailed to the author, then deleted from the site.</p>"
    ),
    _heading("Newsletters"),
    _paragraph(
        "<p>If you subscribe to a column we keep your e-mail address, what you "
        "follow and how often, when you confirmed, and a record of each message"
        " sent to you, so that nobody gets the same post twice. Messages carry "
        "no tracking pixel and no redirected links. Every message has a one-"
        "click unsubscribe link and a link to your preferences.</p>"
    ),
    _heading("Your data"),
    _paragraph(
        "<p>Write to an editor (the contact link on their page) for a copy of "
        "what is kept about your e-mail address, or for its erasure: one "
        "request covers comments, messages and subscriptions.</p>"
    ),
]
CONTACT_BODY = [
    _paragraph(
        "<p>Write to a columnist through the contact link on their page, for "
        'example <a href="/authors/scott-bekker/contact/">Scott Bekker</a>: '
        "messages go to them by e-mail, and your address is not published.</p>"
    ),
    _paragraph(
        "<p>Found a mistake? Tell the author of the post; corrections are dated"
        ' and listed on the <a href="/corrections/">corrections page</a>.</p>'
    ),
]
CLOSING_PARAGRAPH = "<p>What's your take? Does Ballmer still get it when it comes to partners?</p>"

# The reference page's "Featured" list: title, summary, image alt text ("" where the
# original image had none worth reading out), and the date the story ran.
FEATURED_STORIES = [
    (
        "Microsoft Offers Support Extensions for Exchange 2016 and 2019",
        "Microsoft has introduced a paid Extended Security Update (ESU) program for "
        "on-premises Exchange Server 2016 and 2019, offering a crucial safety cushion as both "
        "versions near their Oct. 14, 2025 end-of-support date.",
        "The Exchange Server logo",
        datetime.datetime(2025, 6, 2, 14, 0, tzinfo=datetime.UTC),
    ),
    (
        "2025 Microsoft Conference Calendar: For Partners, IT Pros and Developers",
        "Here's your guide to all the IT training sessions, partner meet-ups and annual "
        "Microsoft conferences you won't want to miss.",
        "An image of planes flying around a globe",
        datetime.datetime(2025, 1, 6, 14, 0, tzinfo=datetime.UTC),
    ),
    (
        "Microsoft Centers AI, Security and Partner Dogfooding at MCAPS",
        "Microsoft's second annual MCAPS for Partners event took place Tuesday, delivering a "
        "volley of updates and directives for its partners for fiscal 2026.",
        "Notebook",
        datetime.datetime(2025, 7, 17, 14, 0, tzinfo=datetime.UTC),
    ),
    (
        "Microsoft Layoffs: AI Is the Obvious Elephant in the Room",
        "As Microsoft doubles down on an $80 billion bet on AI this fiscal year, its workforce "
        "reductions are drawing scrutiny over whether AI's ascent is quietly reshaping its "
        "human capital strategy, even as official messaging avoids drawing a direct line.",
        "",
        datetime.datetime(2025, 7, 9, 14, 0, tzinfo=datetime.UTC),
    ),
]


# Host names of a Site record made for local use (Wagtail's first one is localhost:80): the
# demo moves such a record to the base URL, never one an editor gave the publication's name.
LOCAL_HOSTNAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def reference_loaded() -> bool:
    return PublicationPage.objects.exists()


def site_address() -> tuple[str, int]:
    """The Site record's hostname and port for the base URL, so that the addresses Wagtail
    builds from the record (`page.get_full_url()`: the admin's links to live pages, its own
    notification mail) agree with the ones Byline mails. (Wagtail writes https only for port
    443: an https base URL on another port cannot agree.)"""
    url = urlsplit(base_url())
    return url.hostname, url.port or (443 if url.scheme == "https" else 80)


def _follow_base_url(site: Site) -> bool:
    """Give a local Site record the base URL's hostname and port, unsaved; True if it changed."""
    hostname, port = site_address()
    if site.hostname not in LOCAL_HOSTNAMES or (site.hostname, site.port) == (hostname, port):
        return False
    if Site.objects.filter(hostname=hostname, port=port).exclude(pk=site.pk).exists():
        return False  # another record holds that address; Wagtail allows one
    site.hostname, site.port = hostname, port
    return True


def align_site_address() -> Site | None:
    """Move the default Site record to the base URL (see _follow_base_url), as when PORT
    changed since the demo was loaded; returns the record if it moved."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None or not _follow_base_url(site):
        return None
    site.save(update_fields=["hostname", "port"])
    return site


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _post(
    blog: BlogPage, *, title: str, slug: str, date, excerpt: str, body: list, authors, tags
) -> PostPage:
    post = PostPage(title=title, slug=slug, date=date, excerpt=excerpt, body=body)
    for position, author in enumerate(authors):
        post.post_authors.add(PostPageAuthor(author=author, sort_order=position))
    post.tags.add(*tags)
    blog.add_child(instance=post)
    revision = post.save_revision()
    revision.publish()
    return post


@transaction.atomic
def load_reference_content() -> PublicationPage:
    """Create the publication with the reference page's content; the site's root becomes its
    home page. Call only on an empty site (see reference_loaded)."""
    root = Page.get_first_root_node()
    home = _publish(
        root,
        PublicationPage(
            title=PUBLICATION_TITLE,
            slug="publication",
            tagline="News and analysis for Microsoft partners",
        ),
    )
    site = Site.objects.filter(is_default_site=True).first()
    old_root = site.root_page if site else None
    if site is None:
        hostname, port = site_address()
        Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=home,
            is_default_site=True,
            site_name=PUBLICATION_TITLE,
        )
    else:
        site.root_page = home
        site.site_name = PUBLICATION_TITLE
        _follow_base_url(site)
        site.save()
    if old_root is not None and old_root.pk != home.pk and old_root.depth == 2:
        # Wagtail's "Welcome to your new Wagtail site!" page, from its first migration.
        old_root.delete()
        home.refresh_from_db()

    blogs = _publish(home, BlogIndexPage(title="Blogs", slug="blogs"))
    bekker = Author.objects.create(
        name="Scott Bekker",
        slug="scott-bekker",
        role="Editor in Chief",
        bio="Scott Bekker has covered Microsoft and its partner ecosystem for more than two "
        "decades.",
        email="sbekker@example.com",
    )
    staff = Author.objects.create(name="Staff", slug="staff", role="News desk")

    bekkers_blog = BlogPage(
        title="Bekker's Blog",
        slug="bekkers-blog",
        description="<p>Scott Bekker on Microsoft, its partners and the channel.</p>",
        columnists=[bekker],
    )
    _publish(blogs, bekkers_blog)
    news = _publish(
        blogs,
        BlogPage(title="News", slug="news", description="<p>News for Microsoft partners.</p>"),
    )

    body = [("paragraph", paragraph) for paragraph in POST_BODY_PARAGRAPHS]
    body.append(
        (
            "quotation",
            {
                "text": QUOTATION_HTML,
                "speaker": "Steve Ballmer",
                "source_title": "Worldwide Partner Conference 2011 keynote transcript",
                "source_url": "https://news.microsoft.com/speeches/steve-ballmer-worldwide-partner-conference-2011/",
                "date": datetime.date(2011, 7, 11),
                "emphasis_added": True,
            },
        )
    )
    body.append(("paragraph", CLOSING_PARAGRAPH))
    _post(
        bekkers_blog,
        title="Why Partners Like Steve Ballmer",
        slug=POST_SLUG,
        date=POST_DATE,
        excerpt="Wall Street may grumble, but Microsoft partners keep saying Steve Ballmer "
        '"gets" them. His WPC 2011 keynote shows why.',
        body=body,
        authors=[bekker],
        tags=["Microsoft", "Partners", "WPC"],
    )

    for title, summary, _alt, date in FEATURED_STORIES:
        _post(
            news,
            title=title,
            slug=slugify_title(title),
            date=date,
            excerpt=summary,
            body=[("paragraph", f"<p>{summary}</p>")],
            authors=[staff],
            tags=["Microsoft"],
        )
    for title, slug, body in [
        ("About", "about", ABOUT_BODY),
        ("Contact", "contact", CONTACT_BODY),
        ("Privacy", "privacy", PRIVACY_BODY),
    ]:
        _publish(home, StandardPage(title=title, slug=slug, body=body))
    load_featured_list()
    return home


def featured_list_loaded() -> bool:
    return FeaturedList.objects.filter(blog__isnull=True).exists()


@transaction.atomic
def load_featured_list() -> FeaturedList | None:
    """The reference page's Featured list as the site-wide list: its four stories (posts of the
    "News" blog), each given a drawn lead image whose description is the reference's alt text.
    Does nothing when a site-wide list exists or the stories are missing."""
    if featured_list_loaded():
        return None
    posts = [
        PostPage.objects.filter(slug=slugify_title(title)).first()
        for title, _summary, _alt, _date in FEATURED_STORIES
    ]
    if not all(posts):
        return None
    featured = FeaturedList(name="Site-wide")
    for index, (post, (title, _summary, alt, _date)) in enumerate(
        zip(posts, FEATURED_STORIES, strict=True)
    ):
        if post.lead_image_id is None:
            post.lead_image = make_featured_image(index, title=title, alt=alt)
            post.save_revision().publish()
        item = FeaturedItem(page=post, image_is_decorative=not alt, sort_order=index)
        item.full_clean(exclude=["featured_list"])
        featured.items.add(item)
    featured.save()
    return featured


def slugify_title(title: str) -> str:
    return slugify(title)[:80].strip("-")
