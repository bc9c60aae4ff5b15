"""The notes on a post, for its page: `{% post_corrections page as corrections %}` gives
`corrections.above` (corrections and clarifications, shown before the body) and
`corrections.below` (updates, at its foot), newest first, from the one query that also
gives the post's <head> and JSON-LD their amendments."""

from django import template

from byline.blogs.extensions import amendments_of_post
from byline.corrections.models import Correction

register = template.Library()


@register.simple_tag
def post_corrections(post) -> dict[str, list[Correction]]:
    notes = [a.note for a in amendments_of_post(post) if isinstance(a.note, Correction)]
    return {
        "above": [note for note in notes if note.above_the_body],
        "below": [note for note in notes if not note.above_the_body],
    }
