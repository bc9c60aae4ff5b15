"""Images for tests, drawn in memory."""

import io

from PIL import Image as PILImage


def image_bytes(width=1200, height=675, fmt="JPEG", colour="#336699") -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()
