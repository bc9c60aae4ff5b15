"""What a reader can subscribe to, written as a short "scope": ``blog:<id>``, ``author:<id>``
or ``all`` (the whole publication). Forms, signed links and mail headers all use it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

from byline.blogs.models import Author, BlogPage
from byline.blogs.visibility import readable_q

ALL = "all"
_SCOPE = re.compile(r"^(?:(blog|author):([1-9][0-9]{0,17})|all)$")


@dataclass(frozen=True)
class Target:
    scope: str
    name: str  # "Bekker's Blog", "Scott Bekker", the publication's name
    blog: BlogPage | None = None
    author: Author | None = None

    @property
    def heading(self) -> str:
        """What the sign-up form offers."""
        if self.blog is not None:
            return f"Get {self.name} by e-mail"
        if self.author is not None:
            return f"Get {self.name}’s column by e-mail"
        return f"Get {self.name} by e-mail"


def scope_of(*, blog=None, author=None) -> str:
    if blog is not None:
        return f"blog:{blog.pk}"
    if author is not None:
        return f"author:{author.pk}"
    return ALL


def publication_name() -> str:
    """The name readers see in the masthead: the default Site record's, else the setting."""
    from wagtail.models import Site

    name = Site.objects.filter(is_default_site=True).values_list("site_name", flat=True).first()
    return name or settings.WAGTAIL_SITE_NAME


def resolve(scope: str) -> Target | None:
    """The target of a scope, or None for one that is malformed or names nothing a reader may
    see (an unpublished or restricted blog, an author who is gone)."""
    match = _SCOPE.match(scope or "")
    if match is None:
        return None
    kind, pk = match.groups()
    if kind is None:
        return Target(scope=ALL, name=publication_name())
    if kind == "blog":
        blog = BlogPage.objects.filter(readable_q(), pk=int(pk)).first()
        return Target(scope=scope, name=blog.title, blog=blog) if blog else None
    author = Author.objects.filter(pk=int(pk)).first()
    return Target(scope=scope, name=author.name, author=author) if author else None


def list_id(scope: str, name: str) -> str:
    """An RFC 2919 List-Id: the list's name, then a label under the site's host that stays the
    same for as long as the column does (mail filters and providers key on it)."""
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"
    label = scope.replace(":", "-") if scope != ALL else "all"
    phrase = " ".join(name.replace('"', "").replace("\\", "").split())
    return f'"{phrase}" <{label}.newsletter.{host}>'
