"""Blogs (columns), posts and authors as Wagtail pages and snippets."""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost, ValidationError
from django.core.paginator import Page as PaginatorPage
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.encoding import iri_to_uri
from django.utils.functional import cached_property
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail.url_routing import RouteResult

from byline.blogs import counts, related
from byline.blogs.blocks import PostBodyBlock
from byline.blogs.extensions import listing_annotations
from byline.blogs.forms import PostPageForm
from byline.blogs.plans import walk_date_index
from byline.blogs.remembered import fresh_copy
from byline.blogs.visibility import readable_q
from byline.core import frame
from byline.core.pagination import paginate
from byline.core.previews import PreviewHandlerMixin
from byline.core.reversing import reverse
from byline.core.statements import Statement, raw_instances
from byline.images.presets import rendition_prefetch

# A profile link is followed by readers and crawlers: only the web's own schemes, never
# javascript: or data: (a stored link is an anchor's href on every author page).
WEB_SCHEMES = ("http", "https")
validate_web_url = URLValidator(schemes=list(WEB_SCHEMES))


def is_web_url(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in WEB_SCHEMES


class Author(index.Indexed, ClusterableModel):
    """A person who writes for the publication; edited as a snippet."""

    name = models.CharField(max_length=255)
    slug = models.SlugField(max_length=255, unique=True, help_text="Used in /authors/<slug>/.")
    role = models.CharField(max_length=255, blank=True, help_text='e.g. "Editor at Large".')
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(
        blank=True, help_text="Readers can write here; the address is never shown in plain form."
    )
    email_is_public = models.BooleanField(
        default=False, help_text="Show the address as it is, unprotected."
    )
    website = models.URLField(blank=True, validators=[validate_web_url])
    short_bio = models.CharField(
        max_length=280, blank=True, help_text="One line, for bylines and listings."
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        help_text="The account this author signs in with, if any; guest authors have none.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("role"),
        FieldPanel("short_bio"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        MultiFieldPanel(
            [FieldPanel("email"), FieldPanel("email_is_public"), FieldPanel("website")],
            heading="Contact",
        ),
        InlinePanel("links", label="Profile link", heading="Links (site, Mastodon, profiles)"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The byline keeps each credit's name for the day this record is deleted.
        self.post_links.exclude(name=self.name).update(name=self.name)

    def get_absolute_url(self) -> str:
        """The author's page, or "" for the stand-in of a deleted author (PostPageAuthor)."""
        if self.pk is None:
            return ""
        return reverse("blogs:author", kwargs={"slug": self.slug})

    @cached_property
    def profile_links(self) -> list[AuthorLink]:
        """The author's website, then their links, each an http(s) address: what the author
        page shows as rel="me" and JSON-LD as sameAs. A link that is not (an old row, an
        import) is left out rather than rendered."""
        links = list(self.links.all())
        if self.website:
            links.insert(0, AuthorLink(author=self, label="Website", url=self.website))
        return [link for link in links if is_web_url(link.url)]

    @property
    def fediverse_creator(self) -> str:
        """The fediverse handle ("@user@instance") of the first Mastodon-style profile link
        (https://instance/@user), or "": what <meta name="fediverse:creator"> names."""
        for link in self.profile_links:
            parts = urlsplit(link.url)
            user = parts.path.strip("/")
            if (
                parts.scheme == "https"
                and parts.hostname
                and user.startswith("@")
                and "/" not in user
                and "@" not in user[1:]
                and len(user) > 1
                and not parts.query
            ):
                return f"{user}@{parts.hostname}"
        return ""


class AuthorLink(Orderable):
    """One of an author's places on the web: their site, a Mastodon or other profile."""

    author = ParentalKey(Author, on_delete=models.CASCADE, related_name="links")
    label = models.CharField(max_length=60, blank=True, help_text='e.g. "Mastodon".')
    url = models.URLField("URL", max_length=500, validators=[validate_web_url])

    panels = [FieldPanel("label"), FieldPanel("url")]

    def __str__(self) -> str:
        return self.label or self.url


def _authors_with_links(keys: list[tuple[str, int]]) -> dict[tuple[str, int], Author]:
    """The authors `keys` name, each with its profile links (PostPage.authors)."""
    found = Author.objects.filter(pk__in=[pk for _, pk in keys]).prefetch_related("links")
    return {("author", author.pk): author for author in found}


def _blog_url_parts(url_path: str, request: HttpRequest | None):
    """Page.get_url_parts for the page at `url_path` (a post's blog), remembered per content
    version (pages and sites start a new one) and host: with several sites holding the page,
    Wagtail prefers the request's."""
    if not isinstance(request, HttpRequest):
        request = None

    def build():
        return Page.get_url_parts(Page(url_path=url_path), request)

    try:
        host = request.get_host() if request is not None else None
    except DisallowedHost:
        return build()  # not a host of this site's: nothing to remember it under
    return frame.remembered(request, ("blog-url-parts", url_path, host), build, per_item=True)


class PostQuerySet(PageQuerySet):
    def at_their_address(self) -> PostQuerySet:
        """Live posts, restricted or not: each answers at its address, a restricted one with
        Wagtail's password form or sign-in redirect to those who may not read it."""
        return self.live().filter(date__isnull=False)

    def published(self) -> PostQuerySet:
        """Live, dated posts no view restriction covers, newest first: what readers may see
        in any listing, count, feed, sitemap or search (byline.blogs.visibility)."""
        return self.filter(date__isnull=False).filter(readable_q()).order_by("-date", "-pk")

    def for_listing(self) -> PostQuerySet:
        """What a list of posts shows, in a fixed number of queries however long the list."""
        return (
            self.annotate(**listing_annotations())
            .select_related("lead_image")
            .prefetch_related(
                "post_authors__author", rendition_prefetch("lead_image__renditions", "thumb")
            )
        )


PostManager = PageManager.from_queryset(PostQuerySet)


class CommentModeration(models.TextChoices):
    """Which comments wait for a moderator: a blog's choice, or the site's default
    (BYLINE_COMMENTS_MODERATION, which names one of these but the first)."""

    SITE_DEFAULT = "", "Site default"
    ALL = "all", "Hold every comment for moderation"
    FIRST = "first", "Hold a commenter's first comment"
    NONE = "none", "Publish at once (spam checks still apply)"


class BlogIndexPage(PreviewHandlerMixin, Page):
    """/blogs/: every column of the publication."""

    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["publication.PublicationPage"]
    subpage_types = ["blogs.BlogPage"]
    max_count = 1

    class Meta:
        verbose_name = "blog index"

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["blogs"] = BlogPage.objects.child_of(self).filter(readable_q()).order_by("title")
        return context


class BlogPage(PreviewHandlerMixin, RoutablePageMixin, Page):
    """A column such as "Bekker's Blog": its front page, its archive and its posts.

    Posts are children in the page tree but live at dated URLs
    (/blogs/<blog>/<yyyy>/<mm>/<slug>/), so this page does the routing for them.
    """

    description = RichTextField(blank=True, features=["bold", "italic", "link"])
    columnists = ParentalManyToManyField(Author, blank=True, related_name="blogs")
    comment_moderation = models.CharField(
        max_length=8,
        blank=True,
        choices=CommentModeration.choices,
        help_text="Which comments wait for a moderator before they appear.",
    )
    close_comments_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close comments on posts this many days after they go live. Blank: never.",
    )

    in_news_sitemap = models.BooleanField(
        "in the Google News sitemap",
        default=True,
        help_text="List this blog's posts of the last two days in /sitemap-news.xml.",
    )

    content_panels = Page.content_panels + [FieldPanel("description"), FieldPanel("columnists")]
    settings_panels = Page.settings_panels + [
        MultiFieldPanel(
            [FieldPanel("comment_moderation"), FieldPanel("close_comments_after_days")],
            heading="Comments",
        ),
        FieldPanel("in_news_sitemap"),
    ]
    parent_page_types = ["blogs.BlogIndexPage"]
    subpage_types = ["blogs.PostPage"]
    search_fields = Page.search_fields + [index.SearchField("description")]

    class Meta:
        verbose_name = "blog"

    def posts(self, *, restricted: bool = False) -> PostQuerySet:
        """The blog's published posts, newest first; with `restricted`, also those a view
        restriction covers (they still answer at their addresses)."""
        # "A child of this blog" as a correlated EXISTS rather than Wagtail's child_of(): with
        # the tree condition in the outer query SQLite read every page of the site and sorted
        # them (2.2 s for a blog front at 100,000 posts); as an EXISTS it walks the date
        # index from the newest post and stops at the page's tenth (2 ms at 10,000).
        children = Page.objects.filter(
            pk=OuterRef("pk"), path__startswith=self.path, depth=self.depth + 1
        )
        posts = PostPage.objects.filter(Exists(children))
        if restricted:
            return posts.at_their_address().order_by("-date", "-pk")
        return posts.published()

    def get_url_parts(self, request: HttpRequest | None = None):
        # Wagtail's, remembered per content version and host (as a post's are made from
        # them): every page links to its blogs, and reverse() per link added up.
        if not self.url_path:
            return super().get_url_parts(request)
        return _blog_url_parts(self.url_path, request)

    def route(self, request: HttpRequest, path_components: list[str]) -> RouteResult:
        if self.live and len(path_components) == 3:
            year, month, slug = path_components
            if _is_year(year) and _is_month(month):
                post = self.post_at(request, slug)
                if post is None or (post.local_date.year, post.local_date.month) != (
                    int(year),
                    int(month),
                ):
                    raise Http404("No such post")
                return post.route(request, [])
        if self.live and len(path_components) == 1:
            # The blog's own pages (archive/, feed/…) first: no query for them.
            try:
                match = self.resolve_subpage(f"/{path_components[0]}/")
            except Http404:
                pass
            else:
                request.routable_resolver_match = match  # as RoutablePageMixin.route does
                view, args, kwargs = match
                return RouteResult(self, args=(view, args, kwargs))
            # The tree path of a post (/blogs/<blog>/<slug>/) is not its address; send
            # anyone holding it to the dated one.
            post = self.posts(restricted=True).filter(slug=path_components[0]).first()
            if post is not None:
                return RouteResult(self, args=(self.redirect_to_post, (post,), {}))
        return super().route(request, path_components)

    def post_at(self, request: HttpRequest, slug: str) -> PostPage | None:
        """The live post of this blog at `slug`, restricted or not: looked up once per
        content version in each process (every change to a page starts a new one) and
        handed out as a fresh copy each time (`fresh_copy`, as listings hand out theirs), so
        nothing one request caches on its post (its authors, its tags) reaches another."""

        def find() -> PostPage | None:
            # posts(restricted=True).filter(slug=slug) by hand: the ORM spent 3-4 ms of CPU
            # building the statement for a 1 ms query (a bake pays it for every post).
            found = raw_instances(
                PostPage,
                """
                SELECT * FROM blogs_postpage p JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
                WHERE pg.slug = %s AND pg.path LIKE %s AND pg.depth = %s AND pg.live
                  AND p.date IS NOT NULL
                ORDER BY p.date DESC, p.page_ptr_id DESC LIMIT 1
                """,
                [slug, f"{self.path}%", self.depth + 1],
            )
            return next(iter(found), None)

        post = frame.remembered(request, ("post-at", self.pk, slug), find, per_page=True)
        return None if post is None else fresh_copy(post)

    def listing_page(
        self,
        request: HttpRequest,
        count: int,
        since: datetime.datetime | None = None,
        until: datetime.datetime | None = None,
    ) -> PaginatorPage:
        """The ?page=N of the blog's published posts (`count` of them), those dated from
        `since` to before `until` if given, read as the author and tag pages read theirs
        (byline.blogs.listing: hand-written statements, ten pages' ids at once; the ORM's
        statement for the blog's children cost a blog front more CPU than its query)."""
        from byline.blogs.listing import Scope, ScopeListing

        scope = Scope(tree_path=self.path, since=since, until=until)
        return paginate(request, ScopeListing(scope, count, request=request), count=count)

    def redirect_to_post(self, request: HttpRequest, post: PostPage) -> HttpResponse:
        return HttpResponsePermanentRedirect(post.get_url(request))

    @path("", name="front")
    def front(self, request: HttpRequest) -> HttpResponse:
        page = self.listing_page(request, counts.blog_post_count(self))
        return self.render(request, context_overrides={"posts": page, "page_obj": page})

    @path("archive/", name="archive")
    def archive(self, request: HttpRequest) -> HttpResponse:
        return self.render(
            request,
            context_overrides={
                "archive_years": counts.blog_archive(self),
                # The list's HTML is remembered under the counts' generation: an import
                # renews the counts without starting a new content version.
                "counts_generation": counts.generation_or_none(),
            },
            template="blogs/blog_archive.html",
        )

    @re_path(r"^(\d{4})/$", name="archive-year")
    def archive_year(self, request: HttpRequest, year: str) -> HttpResponse:
        if not _is_year(year):
            raise Http404("No such year")
        months = counts.year_months(self, int(year))
        if not months:
            raise Http404("No posts that year")
        page = self.listing_page(
            request,
            sum(m.count for m in months),
            since=_local_start(int(year), 1),
            until=_local_start(int(year), 13),
        )
        return self.render(
            request,
            context_overrides={
                "posts": page,
                "page_obj": page,
                "year": int(year),
                "months": months,
            },
            template="blogs/blog_archive_year.html",
        )

    @re_path(r"^(\d{4})/(\d{2})/$", name="archive-month")
    def archive_month(self, request: HttpRequest, year: str, month: str) -> HttpResponse:
        if not (_is_year(year) and _is_month(month)):
            raise Http404("No such month")
        count = counts.month_post_count(self, int(year), int(month))
        if not count:
            raise Http404("No posts that month")
        page = self.listing_page(
            request,
            count,
            since=_local_start(int(year), int(month)),
            until=_local_start(int(year), int(month) + 1),
        )
        return self.render(
            request,
            context_overrides={
                "posts": page,
                "page_obj": page,
                "month": datetime.date(int(year), int(month), 1),
            },
            template="blogs/blog_archive_month.html",
        )


def _local_start(year: int, month: int) -> datetime.datetime:
    """The first moment of a month in the site's time zone (as date__year and date__month
    count it); month 13 is the next year's first, and year 10000 stands for the end of
    time."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    if year > 9999:
        return datetime.datetime.max.replace(tzinfo=datetime.UTC)
    return timezone.make_aware(datetime.datetime(year, month, 1))


def _is_year(text: str) -> bool:
    return len(text) == 4 and text.isascii() and text.isdigit() and text != "0000"


def _is_month(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isdigit() and 1 <= int(text) <= 12


class PostPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "blogs.PostPage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class PostPage(PreviewHandlerMixin, Page):
    """One post of a blog."""

    date = models.DateTimeField(
        "publish date",
        null=True,
        blank=True,
        db_index=True,
        help_text="Shown in the byline and the address. Leave blank to use the time it goes live.",
    )
    excerpt = models.TextField(
        blank=True, help_text="A sentence or two for listings, feeds and search results."
    )
    body = StreamField(PostBodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=PostPageTag, blank=True)
    lead_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # With the post, not the image: one picture can run under different captions, and an
    # agency's credit line is part of the story's licence.
    lead_image_caption = models.CharField(
        "caption", max_length=500, blank=True, help_text="Shown under the lead image."
    )
    lead_image_credit = models.CharField(
        "credit",
        max_length=255,
        blank=True,
        help_text="Who made the picture, as it should be printed, e.g. “Photo: Microsoft”.",
    )
    comments_open = models.BooleanField(default=True)

    objects = PostManager()

    # Starts a new post's byline from its blog, and takes "Publish at…" (byline.blogs.forms).
    base_form_class = PostPageForm
    content_panels = Page.content_panels + [
        InlinePanel("post_authors", label="Author", min_num=0),
        FieldPanel("date"),
        MultiFieldPanel(
            [
                FieldPanel("lead_image"),
                FieldPanel("lead_image_caption"),
                FieldPanel("lead_image_credit"),
            ],
            heading="Lead image",
        ),
        FieldPanel("excerpt"),
        FieldPanel("body"),
        FieldPanel("tags"),
        InlinePanel(
            "pinned_related",
            label="Related post",
            heading="Pinned related posts",
            help_text="Shown first under the post, before the posts sharing most of its tags.",
        ),
    ]
    settings_panels = Page.settings_panels + [FieldPanel("comments_open")]
    parent_page_types = ["blogs.BlogPage"]
    subpage_types: list[str] = []
    search_fields = Page.search_fields + [
        index.SearchField("excerpt"),
        index.SearchField("body"),
        index.FilterField("date"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]

    class Meta:
        # Editors pick "Post" from the page types, not "Post page".
        verbose_name = "post"
        indexes = [models.Index(fields=["date"], name="blogs_post_date_idx")]

    def save(self, *args, **kwargs):
        # A post gets its date when it first goes live, as WordPress does, so that a draft
        # started last week is not filed under last week.
        if self.date is None and self.live:
            self.date = self.go_live_at or self.first_published_at or timezone.now()
        return super().save(*args, **kwargs)

    @property
    def local_date(self):
        return timezone.localtime(self.date) if self.date else None

    def tag_list(self) -> list:
        """The post's tags, read once per post object: its tag links, <head> and JSON-LD all
        ask."""
        if "_tag_list" not in self.__dict__:
            editing = "tagged_items" in getattr(self, "_cluster_related_objects", {})
            if editing or self.pk is None:
                tags = list(self.tags.all())  # the editor's tags, not yet saved (a preview)
            else:
                tags = list(_POST_TAGS.objects(self.pk))
            self.__dict__["_tag_list"] = tags
        return self.__dict__["_tag_list"]

    def get_url_parts(self, request: HttpRequest | None = None):
        if self.date is None or not self.url_path:
            return super().get_url_parts(request)
        # The blog's address, as Wagtail makes it, then the date and the slug, percent-encoded
        # as reverse() and the sitemaps encode it (a French or German column's WordPress slugs
        # are not ASCII). The blog's part is worked out once per content version and host: reversing
        # wagtail_serve for every post link cost a bake 3% of its CPU.
        blog_url_path, _, slug = self.url_path.rstrip("/").rpartition("/")
        parts = _blog_url_parts(f"{blog_url_path}/", request)
        if not parts or parts[2] is None:
            return parts
        site_id, root_url, blog_path = parts
        local = self.local_date
        return site_id, root_url, f"{blog_path}{local:%Y}/{local:%m}/{iri_to_uri(slug)}/"

    def serializable_data(self) -> dict:
        # A revision carries each credit's name, so the byline survives the author's deletion
        # even when the editor reopens the post from that revision.
        for link in self.post_authors.all():
            if link.author_id is not None and not link.name:
                link.name = link.author.name
        return super().serializable_data()

    def with_content_json(self, content: dict) -> PostPage:
        page = super().with_content_json(content)
        # Revisions written before credits kept names: take the name from the stored credit.
        nameless = [
            link for link in page.post_authors.all() if link.author_id is None and not link.name
        ]
        if nameless:
            stored = dict(
                PostPageAuthor.objects.filter(pk__in=[link.pk for link in nameless]).values_list(
                    "pk", "name"
                )
            )
            for link in nameless:
                link.name = stored.get(link.pk, "")
        return page

    @cached_property
    def authors(self) -> list[Author]:
        if "post_authors" in getattr(self, "_prefetched_objects_cache", {}):
            links = self.post_authors.all()  # a listing prefetched them (for_listing)
        elif "post_authors" in getattr(self, "_cluster_related_objects", {}) or self.pk is None:
            # The editor's byline, not yet saved (a preview), with the profile links too.
            links = self.post_authors.select_related("author").prefetch_related("author__links")
        else:
            # The credits in one small query; the authors, with the profile links the
            # JSON-LD and fediverse:creator show, remembered per content version (an
            # author's or link's change starts a new one).
            credits = _POST_CREDITS.rows(self.pk)
            known = frame.remembered_each(
                None,
                [("author", author_id) for author_id, _ in credits if author_id is not None],
                _authors_with_links,
            )
            # An author deleted since the credits were read is shown by the kept name.
            return [
                known.get(("author", author_id)) or PostPageAuthor(name=name).credited
                for author_id, name in credits
            ]
        return [link.credited for link in links]

    def get_context(self, request: HttpRequest, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        blog = self.get_parent().specific
        context["blog"] = blog
        # Only pages (their dates, tags and restrictions) decide these, and every change to
        # a page starts a new content version. They are read from what is saved (the post's
        # tags and pinned posts as stored) around the date in the key, so a preview, whose
        # date may be the editor's, shares the readers' copy for that date: building it
        # afresh cost a preview 7 ms of CPU at 100,000 posts and showed the same lists.
        context.update(
            frame.remembered(
                request,
                ("post-column", self.pk, blog.pk, self.date),
                lambda: self.column_context(blog, request),
                per_page=True,
            )
        )
        return context

    def column_context(self, blog: BlogPage, request: HttpRequest | None = None) -> dict:
        """The posts around this one: the previous and next in its blog, "More from" the
        column and related posts from anywhere."""
        context: dict = {}
        if self.date is not None:
            # Walking the date index finds a busy blog's neighbours at once, but crosses the
            # whole site's posts for a small blog's newest or oldest post (25-50 ms at
            # 100,000 posts). A blog with few posts in a big site reads its own by tree path
            # and sorts them (related.column_around).
            blog_posts = counts.blog_post_count(blog)
            site_posts = counts.site_post_count(PostPage.objects.published)
            older_window = self.NEIGHBOUR_WINDOW + related.MORE_COUNT
            # The column's previous posts ("More from") come out of the same query as the
            # previous post: the window reaches MORE_COUNT posts past the ties.
            more, next_post = related.column_around(
                blog,
                date=self.date,
                pk=self.pk,
                older=older_window,
                newer=self.NEIGHBOUR_WINDOW,
                walk=walk_date_index(size=blog_posts, wanted=older_window, total=site_posts),
                request=request,
            )
            context["more_from_blog"] = more
            context["previous_post"] = next(iter(more), None)
            context["next_post"] = next_post
        shown = [self.pk, *(post.pk for post in context.get("more_from_blog", ()))]
        context["related_posts"] = related.related_posts(self, exclude=shown, request=request)
        return context

    # Posts sharing this post's exact date-time that are looked at to order ties by id.
    NEIGHBOUR_WINDOW = 10


class PostPageAuthor(Orderable):
    """One name in a post's byline, in order. The name is kept with the credit so that a post
    still reads "By Jane Doe" after Jane's author record is deleted (her page is gone, the
    credit is not)."""

    post = ParentalKey(PostPage, on_delete=models.CASCADE, related_name="post_authors")
    # Empty only once the author has been deleted: the row then stands for the kept name,
    # and the post still saves in the editor (clean() asks for an author on a new row).
    author = models.ForeignKey(
        Author, null=True, blank=True, on_delete=models.SET_NULL, related_name="post_links"
    )
    name = models.CharField(
        "credited as", max_length=255, blank=True, editable=False, help_text="The author's name."
    )

    panels = [FieldPanel("author")]

    def clean(self) -> None:
        if self.author_id is None and not self.name:
            raise ValidationError({"author": "Choose an author."})

    def save(self, *args, **kwargs):
        if self.author_id is not None:
            self.name = self.author.name
        return super().save(*args, **kwargs)

    @property
    def credited(self) -> Author:
        """The author, or for a deleted one an unsaved stand-in carrying the kept name: no
        page, no address, no links."""
        if self.author_id is not None:
            return self.author
        return Author(name=self.name or "Former contributor", slug="")

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="blogs_one_byline_per_author")
        ]

    def __str__(self) -> str:
        return f"{self.credited} on {self.post}"


class PostPageRelated(Orderable):
    """A post an editor pinned under another's "Related" list; pinned ones come first, in
    their order, when published and public (byline.blogs.related)."""

    post = ParentalKey(PostPage, on_delete=models.CASCADE, related_name="pinned_related")
    related_post = models.ForeignKey(PostPage, on_delete=models.CASCADE, related_name="+")

    panels = [FieldPanel("related_post")]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["post", "related_post"], name="blogs_pin_a_related_post_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.related_post} under {self.post}"

    def clean(self) -> None:
        if self.post_id is not None and self.post_id == self.related_post_id:
            raise ValidationError({"related_post": "A post cannot be related to itself."})


# A saved post's tags and credits, in the order the editor gave them: made into SQL once per
# process (byline.core.statements), as a post page reads both. The same statements as
# post.tags.all() and post.post_authors ordered (blogs/tests/test_statements.py).
_POST_TAGS = Statement(
    lambda post_id: Tag.objects.filter(
        **{f"{PostPageTag.tag_relname()}__content_object_id": post_id}
    ).order_by(f"{PostPageTag.tag_relname()}__id")
)
_POST_CREDITS = Statement(
    lambda post_id: (
        PostPageAuthor.objects.filter(post_id=post_id)
        .order_by("sort_order", "pk")
        .values_list("author_id", "name")
    )
)
