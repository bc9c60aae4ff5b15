"""A post as e-mail: its body rendered once per issue for mail clients (absolute links and
images, no scripts, no <picture>, styles inline) and as plain text, with every e-mail address
the post page hides hidden the same way (byline.mailguard)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html.parser import HTMLParser

from django.template.loader import render_to_string
from django.utils.html import escape, format_html

from byline.blogs.models import PostPage
from byline.core.links import absolute_url, base_url, page_absolute_url
from byline.images.presets import fallback_format, image_alt
from byline.mailguard.directory import AuthorDirectory
from byline.mailguard.protect import Contact, protect_html, protect_text
from byline.newsletters.scopes import publication_name

# Root-relative links and images (/media/…, /blogs/…) mean nothing in a mailbox.
ROOT_RELATIVE_RE = re.compile(r"""\b(href|src)=(["'])/(?!/)""", re.IGNORECASE)
# What protect_html leaves for mailguard.js: the address, XOR-encoded. No script runs in a
# mailbox, and bulk mail is forwarded and archived: the encoded address stays out of it too.
MAILGUARD_DATA_RE = re.compile(r"""\s+data-mailguard(?:-text)?(?:="[0-9a-f]*")?""")
IMAGE_WIDTH = 600  # the width of the mail's column


@dataclass
class RenderedPost:
    post: PostPage
    url: str
    comment_url: str | None
    title: str  # as text, addresses hidden: the subject, and in both parts
    byline: str
    standfirst: str  # as text, addresses hidden
    standfirst_html: str
    body_html: str
    body_text: str
    publication: str  # read once per issue, not once per message


def absolute(url: str) -> str:
    """A file's or page's URL for mail: root-relative ones under the base URL; already
    absolute ones (media on object storage) as they are."""
    return absolute_url(url) if url.startswith("/") and not url.startswith("//") else url


def _figure(value) -> str:
    image = value["image"]
    rendition = image.get_rendition(f"width-{IMAGE_WIDTH}|format-{fallback_format(image)}")
    caption = " ".join(filter(None, [value.get("caption"), value.get("credit")]))
    return render_to_string(
        "newsletters/mail/figure.html",
        {
            "src": absolute(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
            "alt": image_alt(image),
            "caption": caption,
        },
    )


def _block_html(block) -> str:
    kind, value = block.block_type, block.value
    if kind == "paragraph":
        return str(value)  # RichText: internal links expanded to the pages' addresses
    if kind == "heading":
        return format_html('<h2 style="font-size:20px;margin:24px 0 8px">{}</h2>', value["text"])
    if kind == "quotation":
        return render_to_string("newsletters/mail/quotation.html", {"value": value})
    if kind == "figure":
        return _figure(value)
    if kind == "embed":
        url = getattr(value, "url", "") or ""
        return format_html('<p><a href="{}">{}</a></p>', url, url) if url else ""
    return ""


def mail_directory() -> dict[str, Contact]:
    """The authors' addresses, each with its contact page as a full address (a mail has no
    site for a path to be relative to)."""
    directory = {}
    for address, contact in AuthorDirectory().items():
        page = absolute(contact.path) if contact.path else ""
        directory[address] = dataclasses.replace(contact, path=page, url=page)
    return directory


def protected_html(html: str, directory: Mapping[str, Contact]) -> str:
    """`html` with each address as the post page has it (an author's as "e-mail <name>",
    linked to their contact page), without the encoded address meant for the page's script."""
    return MAILGUARD_DATA_RE.sub("", protect_html(html, directory))


def _for_mail(html: str, directory: Mapping[str, Contact]) -> str:
    return ROOT_RELATIVE_RE.sub(rf"\1=\2{base_url()}/", protected_html(html, directory))


def render_post(post: PostPage) -> RenderedPost:
    url = page_absolute_url(post)
    directory = mail_directory()
    body_html = _for_mail("".join(_block_html(block) for block in post.body), directory)
    authors = post.authors
    names = ", ".join(author.name for author in authors[:-1])
    names = f"{names} and {authors[-1].name}" if names else (authors[0].name if authors else "")
    date = post.local_date
    when = f"{date:%B} {date.day}, {date.year}" if date else ""
    byline = " on ".join(filter(None, [f"By {names}" if names else "", when]))
    return RenderedPost(
        post=post,
        url=url,
        comment_url=f"{url}#comment-form" if post.comments_open else None,
        title=protect_text(post.title, directory),
        byline=byline,
        standfirst=protect_text(post.excerpt, directory),
        standfirst_html=protected_html(escape(post.excerpt), directory),
        body_html=body_html,
        # Read from the protected HTML, and checked again: character references the HTML
        # held are plain characters in text.
        body_text=protect_text(html_to_text(body_html), directory),
        publication=publication_name(),
    )


class _TextWriter(HTMLParser):
    """HTML to readable plain text: paragraphs apart, links as "text <address>", quotations
    marked with "> ", images by their alt text."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "li", "figure", "figcaption", "blockquote", "div"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quote = 0
        self.href: list[str | None] = []

    def _newline(self, count: int = 2) -> None:
        self.out.append("\n" * count)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.BLOCKS:
            self._newline()
        if tag == "blockquote":
            self.quote += 1
        elif tag == "br":
            self._newline(1)
        elif tag == "li":
            self.out.append("• ")
        elif tag == "a":
            self.href.append(attrs.get("href"))
        elif tag == "img" and attrs.get("alt"):
            self.out.append(f"[{attrs['alt']}]")

    def handle_endtag(self, tag):
        if tag == "a" and self.href:
            href = self.href.pop()
            if href and not href.startswith("#"):
                self.out.append(f" <{href}>")
        elif tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        if tag in self.BLOCKS:
            self._newline()

    def handle_data(self, data):
        text = " ".join(data.split())
        if not text:
            # Only whitespace, as between "<em>red</em> <strong>green</strong>": one space,
            # unless the line or a space already ends there (between blocks, say).
            if data and self.out and not self.out[-1].endswith(("\n", " ")):
                self.out.append(" ")
            return
        # Both ends: " and " between two inline elements keeps a space on each side.
        if self.out and not self.out[-1].endswith(("\n", " ")) and data[:1].isspace():
            text = " " + text
        if data[-1:].isspace():
            text += " "
        self.out.append(("> " if self.quote and self.out[-1:] == ["\n\n"] else "") + text)

    def text(self) -> str:
        raw = "".join(self.out)
        paragraphs = [" ".join(p.split(" ")).strip() for p in re.split(r"\n{2,}", raw)]
        lines = []
        for paragraph in filter(None, paragraphs):
            lines.append("\n".join(line.strip() for line in paragraph.split("\n")))
        return "\n\n".join(lines)


def html_to_text(html: str) -> str:
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    return writer.text()
