"""The signal the images app sends when an image's preset renditions are all ready.

Whoever keeps rendered pages listens: a page drawn before then showed the original (or the
renditions there were) and can now be drawn with every width and format::

    from byline.images.signals import renditions_ready

    def redraw(sender, *, image_ids, **kwargs):
        ...  # purge the pages showing these images

    renditions_ready.connect(redraw)

Sent by the background task that makes them (byline.images.tasks.warm_renditions), once per
run, with the ids of the images it made renditions for (none made: not sent), after they are
saved.
"""

from django.dispatch import Signal

renditions_ready = Signal()
