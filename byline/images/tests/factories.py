"""Images for tests, drawn in memory and saved the way Wagtail's upload form saves one."""

import io
import itertools

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

_numbers = itertools.count(1)


def image_bytes(width=1200, height=675, fmt="JPEG", colour="#336699") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


def make_image(width=1200, height=675, *, fmt="JPEG", description="", focal=None, data=None):
    """A saved image of `width` × `height` (or of `data`); `focal` is (x, y, width, height)."""
    number = next(_numbers)
    ext = {"JPEG": "jpg", "PNG": "png"}[fmt]
    image = get_image_model()(
        title=f"image-{number}.{ext}",
        description=description,
        file=ImageFile(
            io.BytesIO(data or image_bytes(width, height, fmt)), name=f"image-{number}.{ext}"
        ),
    )
    if focal:
        (image.focal_point_x, image.focal_point_y, image.focal_point_width,
         image.focal_point_height) = focal  # fmt: skip
    image._set_image_file_metadata()
    image.save()
    return image
