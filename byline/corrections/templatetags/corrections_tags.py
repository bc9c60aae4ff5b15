"""The notes on a post, for its page: `{% post_corrections page as corrections %}` gives
`corrections.above` (corrections and clarifications, shown before the body) and
`corrections.below` (updates, at its foot), newest first, in one query."""

from django import template

from byline.corrections.models import Correction

register = template.Library()


@register.simple_tag
def post_corrections(post) -> dict[str, list[Correction]]:
    notes = list(Correction.objects.filter(post_id=post.pk))
    return {
        "above": [note for note in notes if note.above_the_body],
        "below": [note for note in notes if not note.above_the_body],
    }
