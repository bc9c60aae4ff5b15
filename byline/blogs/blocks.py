"""StreamField blocks for post bodies: prose, headings, quotations, figures, galleries, embeds,
tables, audio, video, files, code, footnotes, and sanitised HTML for what none can hold."""

from __future__ import annotations

import html
import re

import nh3
from django import forms
from django.core.validators import RegexValidator
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

from byline.blogs.remembered import fresh_copy

# Inline formatting an editor may use in prose; headings are their own block so that the
# page's heading outline stays in order under the post's <h1>.
PROSE_FEATURES = [
    "bold",
    "italic",
    "link",
    "ol",
    "ul",
    "superscript",
    "subscript",
    "strikethrough",
    "code",
]
NOTE_FEATURES = ["bold", "italic", "link", "superscript", "subscript", "code"]

# An id readers' links can point at (#section-2): letters, digits, "-" and "_".
ANCHOR = RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$", "Letters, digits, - and _ only.")
# Where a figure or gallery image may link: the web, mail, this site, or a place on the page.
LINK = RegexValidator(r"^(https?://|mailto:|/|#)\S*$", "A web address, /a/path or #anchor.")
# Where a media file may come from: the web or this site (never javascript: or data:).
MEDIA_URL = RegexValidator(r"^(https?://|/(?!/))\S*$", "A web address or a /path on this site.")

# What the HTML block keeps: the structure of tables, lists of terms, disclosures, code and
# media; never script, style, forms, frames, event handlers or javascript: URLs (its content
# comes from imports and editors, and readers see it).
HTML_TAGS = {
    "p", "br", "a", "strong", "b", "em", "i", "u", "s", "del", "ins", "sub", "sup", "code",
    "pre", "kbd", "samp", "var", "mark", "small", "abbr", "cite", "q", "blockquote", "ul", "ol",
    "li", "dl", "dt", "dd", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tfoot",
    "tr", "th", "td", "caption", "colgroup", "col", "hr", "figure", "figcaption", "img", "audio",
    "video", "source", "track", "span", "div", "details", "summary", "address", "time", "dfn",
}  # fmt: skip
HTML_ATTRIBUTES = {
    "*": {"id"},
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "details": {"open"},
    "audio": {"src", "controls", "loop", "preload"},
    "video": {"src", "controls", "loop", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "track": {"src", "kind", "srclang", "label"},
    "abbr": {"title"},
    "dfn": {"title"},
    "time": {"datetime"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,99}$")


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    # An id that could shadow a global (DOM clobbering) or break the page's own ids is not kept.
    if name == "id" and not _ID.match(value):
        return None
    return value


def sanitize_html(fragment: str) -> str:
    """HTML safe to show readers: the tags and attributes above, http(s)/mailto or relative
    links, media with controls; everything else removed (script and style with their content)."""
    return nh3.clean(
        fragment or "",
        tags=HTML_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "form"},
        attributes=HTML_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


class ProseBlock(blocks.RichTextBlock):
    """Rich text; a link to a footnote (#fn-…) becomes the place the footnote links back to."""

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["prose"] = mark_footnote_references(str(value))
        return context


_FOOTNOTE_REF = re.compile(r'<a href="#fn-([A-Za-z0-9_-]{1,100})">')


def mark_footnote_references(html: str) -> SafeString:
    """Give the first link to each footnote the id the footnote's back link points at."""
    seen: set[str] = set()

    def mark(match: re.Match) -> str:
        name = match.group(1)
        if name in seen:
            return match.group(0)
        seen.add(name)
        return f'<a href="#fn-{name}" id="fnref-{name}">'

    return mark_safe(_FOOTNOTE_REF.sub(mark, html))  # noqa: S308 - rich text, ids added only


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255)
    # h5 and h6 are kept as written; an h1 in a body becomes a section (the title is the h1).
    level = blocks.ChoiceBlock(
        choices=[
            ("h2", "Section"),
            ("h3", "Subsection"),
            ("h4", "Minor"),
            ("h5", "Minor, level 5"),
            ("h6", "Minor, level 6"),
        ],
        default="h2",
    )
    anchor = blocks.CharBlock(
        required=False,
        max_length=100,
        validators=[ANCHOR],
        help_text="An id links can point at (#anchor), e.g. kept from an imported post.",
    )

    class Meta:
        icon = "title"
        template = "blogs/blocks/heading.html"


class QuotationBlock(blocks.StructBlock):
    """A quotation kept with what makes it citable: who said it, where, when, and whether the
    emphasis in it is the quoter's own ("emphasis mine")."""

    text = blocks.RichTextBlock(features=["bold", "italic", "link"])
    speaker = blocks.CharBlock(required=False, max_length=255, help_text="Who said it.")
    source_title = blocks.CharBlock(
        required=False, max_length=255, help_text='Where it comes from, e.g. "the transcript".'
    )
    source_url = blocks.URLBlock(required=False, help_text="A link to the source.")
    date = blocks.DateBlock(required=False, help_text="When it was said or written.")
    emphasis_added = blocks.BooleanBlock(
        required=False, help_text='The emphasis is yours, not the speaker\'s ("emphasis mine").'
    )

    class Meta:
        icon = "openquote"
        template = "blogs/blocks/quotation.html"


class PlacedImageBlock(ImageBlock):
    """Wagtail's ImageBlock, each use of an image its own object. Wagtail loads the images of
    a body in bulk, one object per image, and sets each use's alt text and "decorative" on
    that object: an image placed twice showed the last place's alt text in both (a decorative
    one then read aloud, or a described one silenced)."""

    def _struct_value_to_image(self, struct_value):
        image = struct_value.get("image")
        if image is not None:
            struct_value = {**struct_value, "image": fresh_copy(image)}
        return super()._struct_value_to_image(struct_value)


class FigureBlock(blocks.StructBlock):
    image = PlacedImageBlock()
    caption = blocks.CharBlock(required=False, max_length=500)
    credit = blocks.CharBlock(required=False, max_length=255)
    link = blocks.CharBlock(
        required=False,
        max_length=2000,
        validators=[LINK],
        help_text="Where the image leads when clicked (optional).",
    )
    alignment = blocks.ChoiceBlock(
        choices=[
            ("", "In the text column"),
            ("left", "Left"),
            ("right", "Right"),
            ("center", "Centred"),
            ("wide", "Wide"),
        ],  # fmt: skip
        default="",
        required=False,
    )
    size = blocks.ChoiceBlock(
        choices=[
            ("", "Full width"),
            ("large", "Large"),
            ("medium", "Medium"),
            ("small", "Small"),
        ],  # fmt: skip
        default="",
        required=False,
    )

    class Meta:
        icon = "image"
        template = "blogs/blocks/figure.html"


class GalleryImageBlock(blocks.StructBlock):
    image = PlacedImageBlock()
    caption = blocks.CharBlock(required=False, max_length=500)
    link = blocks.CharBlock(required=False, max_length=2000, validators=[LINK])


class GalleryBlock(blocks.StructBlock):
    """Images in a grid, each with its own caption and link."""

    images = blocks.ListBlock(GalleryImageBlock(), min_num=1)
    columns = blocks.IntegerBlock(min_value=1, max_value=6, default=3)
    caption = blocks.CharBlock(required=False, max_length=500, help_text="For the whole gallery.")

    class Meta:
        icon = "image"
        template = "blogs/blocks/gallery.html"


class EmbedURLBlock(EmbedBlock):
    """An embed's address, saved even while its provider does not answer (Wagtail's own
    block refuses it then, and a post with a deleted video could not be saved at all): the
    template shows a link to it instead."""

    def clean(self, value):
        return blocks.FieldBlock.clean(self, value)


class EmbedValue(blocks.StructValue):
    """In Python, `value.url` is the address itself, as it was when the block was Wagtail's
    EmbedBlock (export reads it so); templates reach the EmbedValue as `value.url` too,
    through the dictionary, for its `.html` and `.url`."""

    @property
    def url(self) -> str:
        embed = self.get("url")
        return embed.url if embed is not None else ""


class CaptionedEmbedBlock(blocks.StructBlock):
    """A video, post or track from another site by its address; a plain link to it when the
    provider does not answer (deleted, private, or wanting a token)."""

    url = EmbedURLBlock(max_width=800, help_text="The address of the video, post or track.")
    caption = blocks.CharBlock(required=False, max_length=500)

    class Meta:
        icon = "media"
        template = "blogs/blocks/embed.html"
        value_class = EmbedValue

    def to_python(self, value):
        # Embeds were stored as a bare URL before they had a caption.
        return super().to_python(_embed_dict(value))

    def bulk_to_python(self, values):
        return super().bulk_to_python([_embed_dict(value) for value in values])


def _embed_dict(value):
    return {"url": value, "caption": ""} if isinstance(value, str) else value


class _UnstrippedTextField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs["strip"] = False  # indentation is part of the code
        super().__init__(**kwargs)


class CodeBlock(blocks.StructBlock):
    """Preformatted text, exactly as written: code, poetry, ASCII tables."""

    language = blocks.CharBlock(
        required=False, max_length=40, help_text="e.g. python, html, css (optional)."
    )
    code = blocks.TextBlock()

    class Meta:
        icon = "code"
        template = "blogs/blocks/code.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.child_blocks["code"].field = _UnstrippedTextField(
            widget=forms.Textarea(attrs={"rows": 8, "class": "monospace"})
        )


class FootnoteBlock(blocks.StructBlock):
    anchor = blocks.CharBlock(
        max_length=100,
        validators=[ANCHOR],
        help_text='Link to it from the text as "#fn-" followed by this.',
    )
    text = blocks.RichTextBlock(features=NOTE_FEATURES)


class FootnotesBlock(blocks.StructBlock):
    notes = blocks.ListBlock(FootnoteBlock(), min_num=1)

    class Meta:
        icon = "list-ol"
        template = "blogs/blocks/footnotes.html"


class HTMLBlock(blocks.RawHTMLBlock):
    """What no other block can hold (lists of terms, disclosures, tables with cells of block
    content, players with several sources or subtitles), as HTML, sanitised when saved and
    again when shown."""

    class Meta:
        icon = "code"
        label = "HTML (other markup)"
        template = "blogs/blocks/html.html"

    def clean(self, value):
        return mark_safe(sanitize_html(super().clean(value)))  # noqa: S308 - sanitised

    def get_searchable_content(self, value):
        # The words of a table or a list of terms are found by search like the prose's.
        text = nh3.clean(str(value).replace("<", " <"), tags=set())
        return [" ".join(html.unescape(text).split())]

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["markup"] = mark_safe(sanitize_html(str(value)))  # noqa: S308 - sanitised
        return context


# What a table cell may hold: words with inline formatting and links, never block structure.
CELL_TAGS = {"a", "strong", "b", "em", "i", "u", "s", "del", "ins", "sub", "sup", "code", "kbd",
             "mark", "small", "abbr", "br", "span"}  # fmt: skip


def sanitize_cell(fragment: str) -> str:
    """A table cell's HTML safe to show: CELL_TAGS, http(s)/mailto or relative links."""
    return nh3.clean(
        fragment or "",
        tags=CELL_TAGS,
        clean_content_tags={"script", "style"},
        attributes={"a": {"href", "title"}, "abbr": {"title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


class ArticleTableBlock(TableBlock):
    """A table an editor fills in like a spreadsheet: a header row and/or column, merged
    cells, a caption. Cells hold inline HTML (links, emphasis), sanitised when saved and
    again when shown; readers get <caption> and <th scope>, in a box that scrolls sideways
    on a phone."""

    def __init__(self, **kwargs):
        options = {
            "renderer": "html",  # a cell's link or emphasis is shown, not its tags
            "mergeCells": True,
            "contextMenu": ["row_above", "row_below", "---------", "col_left", "col_right",
                            "---------", "remove_row", "remove_col", "---------", "mergeCells",
                            "---------", "undo", "redo"],
        }  # fmt: skip
        super().__init__(table_options=options, **kwargs)

    class Meta:
        icon = "table"
        label = "Table"
        template = "blogs/blocks/table.html"

    def clean(self, value):
        value = super().clean(value)
        if value and isinstance(value.get("data"), list):
            value["data"] = [
                [sanitize_cell(str(cell)) if cell else "" for cell in row]
                for row in value["data"]
                if isinstance(row, list)
            ]
            value["table_caption"] = str(value.get("table_caption") or "")[:500]
        return value

    def get_searchable_content(self, value):
        cells = [cell for row in (value or {}).get("data") or [] for cell in row or [] if cell]
        text = nh3.clean(" ".join([str((value or {}).get("table_caption") or ""), *map(str, cells)])
                         .replace("<", " <"), tags=set())  # fmt: skip
        return [" ".join(html.unescape(text).split())]

    def render(self, value, context=None):
        if not value or not value.get("data"):
            return ""
        return render_to_string(self.meta.template, {"value": value, "table": table_rows(value)})


def table_rows(value: dict) -> dict:
    """A TableBlock value as the rows a template writes: each cell's tag, scope, spans and
    sanitised HTML; the cells a merged cell covers left out."""
    spans = {}
    covered = set()
    for merge in value.get("mergeCells") or []:
        try:
            row, col = int(merge["row"]), int(merge["col"])
            rowspan, colspan = max(int(merge["rowspan"]), 1), max(int(merge["colspan"]), 1)
        except (KeyError, TypeError, ValueError):
            continue
        spans[(row, col)] = (rowspan, colspan)
        covered |= {(r, c) for r in range(row, row + rowspan) for c in range(col, col + colspan)}
        covered.discard((row, col))
    header_row = bool(value.get("first_row_is_table_header"))
    header_col = bool(value.get("first_col_is_header"))
    rows = []
    for r, row in enumerate(value.get("data") or []):
        cells = []
        for c, cell in enumerate(row or []):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            scope = "col" if header_row and r == 0 else "row" if header_col and c == 0 else ""
            cells.append(
                {
                    "tag": "th" if scope else "td",
                    "scope": scope,
                    "rowspan": rowspan,
                    "colspan": colspan,
                    "html": mark_safe(sanitize_cell(str(cell or ""))),  # noqa: S308 - sanitised
                }
            )
        rows.append(cells)
    head = rows[:1] if header_row else []
    caption = str(value.get("table_caption") or "")
    return {"caption": caption, "head": head, "body": rows[len(head) :]}


def safe_media_url(url: str) -> str:
    """The address a player or link may use: http(s) or this site's, else nothing (an
    import or a raw edit could have stored javascript:)."""
    url = (url or "").strip()
    try:
        MEDIA_URL(url)
    except forms.ValidationError:
        return ""
    return url


class MediaValue(blocks.StructValue):
    """The file a media block plays or offers: the chosen document, else the address."""

    @property
    def src(self) -> str:
        document = self.get("document")
        if document is not None:
            return document.url
        return safe_media_url(self.get("url") or "")

    @property
    def link_text(self) -> str:
        document = self.get("document")
        title = document.title if document is not None else ""
        return self.get("text") or title or self.src.rsplit("/", 1)[-1]

    @property
    def poster_src(self) -> str:
        return safe_media_url(self.get("poster") or "")

    @property
    def file_type(self) -> str:
        document = self.get("document")
        name = document.file.name if document is not None else self.src.split("?")[0]
        stem, dot, extension = name.rpartition("/")[-1].rpartition(".")
        return extension.upper() if dot and stem and len(extension) <= 5 else ""

    @property
    def file_size(self) -> int | None:
        # Wagtail records a document's size when it is saved: no look at the storage here.
        document = self.get("document")
        return document.file_size if document is not None else None


class MediaSourceBlock(blocks.StructBlock):
    """A file from the documents, or by its address."""

    document = DocumentChooserBlock(required=False, help_text="The file, from the documents.")
    url = blocks.CharBlock(
        required=False,
        max_length=2000,
        validators=[MEDIA_URL],
        help_text="Or its address, if it is not among the documents.",
    )

    class Meta:
        value_class = MediaValue

    def clean(self, value):
        value = super().clean(value)
        if value.get("document") is None and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": forms.ValidationError("Choose a document or give an address.")}
            )
        return value


class AudioBlock(MediaSourceBlock):
    caption = blocks.CharBlock(required=False, max_length=500)

    class Meta:
        icon = "media"
        label = "Audio"
        template = "blogs/blocks/audio.html"


class VideoBlock(MediaSourceBlock):
    poster = blocks.CharBlock(
        required=False,
        max_length=2000,
        validators=[MEDIA_URL],
        help_text="The address of a picture shown before it plays (optional).",
    )
    caption = blocks.CharBlock(required=False, max_length=500)

    class Meta:
        icon = "media"
        label = "Video"
        template = "blogs/blocks/video.html"


class FileBlock(MediaSourceBlock):
    text = blocks.CharBlock(
        required=False, max_length=255, help_text="The link's words; the file's title if empty."
    )

    class Meta:
        icon = "doc-full"
        label = "File to download"
        template = "blogs/blocks/file.html"


class PostBodyBlock(blocks.StreamBlock):
    paragraph = ProseBlock(features=PROSE_FEATURES, template="blogs/blocks/prose.html")
    heading = HeadingBlock()
    quotation = QuotationBlock()
    figure = FigureBlock()
    gallery = GalleryBlock()
    embed = CaptionedEmbedBlock()
    code = CodeBlock()
    html = HTMLBlock()
    footnotes = FootnotesBlock()
    table = ArticleTableBlock()
    audio = AudioBlock()
    video = VideoBlock()
    file = FileBlock()
