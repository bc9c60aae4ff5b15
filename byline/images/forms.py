"""The admin's image upload form, stricter than Wagtail's: an upload must decode in full.

Wagtail checks an upload's extension, size and header (width × height against
WAGTAILIMAGES_MAX_IMAGE_PIXELS), but not that the pixels behind the header can be read, so a
truncated file or one with hostile metadata is accepted and fails later, when a reader's page
asks for a rendition. Here it fails at upload, with a message the editor can act on.
Installed through WAGTAILIMAGES_IMAGE_FORM_BASE.
"""

from __future__ import annotations

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image as PILImage
from PIL import ImageOps
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

UNREADABLE = (
    "This image could not be read: the file is damaged, cut short or not really an image. "
    "Export it again from the original and upload that."
)


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        "This image has too many pixels to process safely. Make it smaller (at most "
        "%(max)s pixels in all) and upload it again.",
        code="file_too_many_pixels",
        params={"max": f"{settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS:,}"},
    )


def check_image_decodes(file) -> None:
    """Decode every pixel of the first frame and apply its EXIF orientation, as a rendition
    will; raise ValidationError if that fails."""
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse outright.
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as image:
                image.load()
                ImageOps.exif_transpose(image)
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning) as exc:
        raise _too_many_pixels() from exc
    except Exception as exc:  # noqa: BLE001
        # Pillow reports a bad file as OSError, SyntaxError, ValueError, struct.error, …
        raise ValidationError(UNREADABLE, code="unreadable_image") from exc
    finally:
        file.seek(0)


class StrictImageField(WagtailImageField):
    def to_python(self, data):
        try:
            f = super().to_python(data)
        except ValidationError:
            raise
        except PILImage.DecompressionBombError as exc:
            # Pillow refuses to open past twice its own limit before Wagtail can compare the
            # header's size with WAGTAILIMAGES_MAX_IMAGE_PIXELS.
            raise _too_many_pixels() from exc
        except Exception as exc:  # noqa: BLE001
            # Wagtail's own checks read the header with Pillow and can raise on hostile
            # metadata (e.g. a PNG text chunk that inflates past Pillow's limit).
            raise ValidationError(UNREADABLE, code="unreadable_image") from exc
        if f is not None:
            check_image_decodes(data if hasattr(data, "seek") else f)
        return f


class StrictImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if field is not None:
            strict = StrictImageField(
                label=field.label, required=field.required, widget=field.widget
            )
            self.fields["file"] = strict
