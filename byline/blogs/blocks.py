"""StreamField blocks for post bodies: prose, headings, quotations, figures and embeds."""

from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock

# Inline formatting an editor may use in prose; headings are their own block so that the
# page's heading outline stays in order under the post's <h1>.
PROSE_FEATURES = ["bold", "italic", "link", "ol", "ul", "superscript", "subscript", "strikethrough"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=255)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section"), ("h3", "Subsection"), ("h4", "Minor")], default="h2"
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


class FigureBlock(blocks.StructBlock):
    image = ImageBlock()
    caption = blocks.CharBlock(required=False, max_length=500)
    credit = blocks.CharBlock(required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "blogs/blocks/figure.html"


class PostBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PROSE_FEATURES, template="blogs/blocks/prose.html")
    heading = HeadingBlock()
    quotation = QuotationBlock()
    figure = FigureBlock()
    embed = EmbedBlock(max_width=800, template="blogs/blocks/embed.html")
