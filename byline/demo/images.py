"""Pictures for the reference content's Featured stories, drawn with Pillow (never downloaded).

Each is a simple drawing of what the reference page's image shows, so that the alt texts
("An image of planes flying around a globe") describe what is really there. The drawings are
deterministic: the same bytes every run.
"""

from __future__ import annotations

import io
import math

from django.core.files.images import ImageFile
from PIL import Image, ImageDraw
from wagtail.images import get_image_model

WIDTH, HEIGHT = 1200, 675


def _exchange_logo() -> Image.Image:
    """A blue tile with a white "E" and two overlapping panes, after Exchange Server's logo."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#e9f1fb")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((390, 130, 810, 550), radius=48, fill="#0a5bb5")
    draw.rounded_rectangle((560, 190, 880, 490), radius=36, fill="#28a8ea")
    for top in (220, 320, 420):
        draw.rectangle((450, top, 640, top + 44), fill="white")
    draw.rectangle((450, 220, 494, 464), fill="white")
    return image


def _planes_around_globe() -> Image.Image:
    """A globe with meridians and parallels, and planes on a dashed orbit around it."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#0f2d4a")
    draw = ImageDraw.Draw(image)
    cx, cy, r = WIDTH // 2, HEIGHT // 2, 210
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill="#2f7bbf", outline="#9fd1ff", width=4)
    for k in range(1, 4):
        w = r * k // 4
        draw.ellipse((cx - w, cy - r, cx + w, cy + r), outline="#9fd1ff", width=2)
        y = r * k // 4
        half = int(math.sqrt(r * r - y * y))
        draw.line((cx - half, cy - y, cx + half, cy - y), fill="#9fd1ff", width=2)
        draw.line((cx - half, cy + y, cx + half, cy + y), fill="#9fd1ff", width=2)
    draw.line((cx - r, cy, cx + r, cy), fill="#9fd1ff", width=2)
    orbit_x, orbit_y = 400, 260
    for step in range(0, 360, 6):
        if step % 12 == 0:
            a = math.radians(step)
            x, y = cx + orbit_x * math.cos(a), cy + orbit_y * math.sin(a)
            draw.ellipse((x - 3, y - 3, x + 3, y + 3), fill="#ffffff")
    for degrees in (20, 140, 250):
        a = math.radians(degrees)
        x, y = cx + orbit_x * math.cos(a), cy + orbit_y * math.sin(a)
        heading = math.atan2(orbit_y * math.cos(a), -orbit_x * math.sin(a))
        _plane(draw, x, y, heading)
    return image


def _plane(draw: ImageDraw.ImageDraw, x: float, y: float, heading: float) -> None:
    def point(forward: float, side: float) -> tuple[float, float]:
        return (
            x + forward * math.cos(heading) - side * math.sin(heading),
            y + forward * math.sin(heading) + side * math.cos(heading),
        )

    draw.polygon([point(36, 0), point(-30, 6), point(-30, -6)], fill="white")  # fuselage
    draw.polygon([point(8, 0), point(-10, 34), point(-18, 34), point(-6, 0)], fill="white")
    draw.polygon([point(8, 0), point(-10, -34), point(-18, -34), point(-6, 0)], fill="white")
    draw.polygon([point(-22, 0), point(-32, 14), point(-36, 14), point(-30, 0)], fill="white")
    draw.polygon([point(-22, 0), point(-32, -14), point(-36, -14), point(-30, 0)], fill="white")


def _notebook() -> Image.Image:
    """An open spiral notebook with ruled lines and a pencil."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#d9c7a7")
    draw = ImageDraw.Draw(image)
    draw.rectangle((300, 90, 900, 600), fill="#fdfcf7", outline="#8a7f6a", width=3)
    for y in range(170, 590, 36):
        draw.line((330, y, 870, y), fill="#9cc3e6", width=2)
    draw.line((390, 100, 390, 590), fill="#e38b8b", width=3)
    for y in range(110, 590, 40):
        draw.ellipse((284, y, 316, y + 22), outline="#4d4d4d", width=4)
    draw.polygon([(760, 520), (1040, 240), (1070, 270), (790, 550)], fill="#f2b531")
    draw.polygon([(760, 520), (790, 550), (740, 570)], fill="#e8cfa0")
    draw.polygon([(740, 570), (752, 558), (757, 563)], fill="#333333")
    return image


def _abstract() -> Image.Image:
    """Overlapping translucent panels: an illustration that carries no information."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "#f3f0ea")
    overlay = Image.new("RGBA", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(overlay)
    colours = ["#f25022cc", "#7fba00cc", "#00a4efcc", "#ffb900cc"]
    for i, colour in enumerate(colours):
        left = 180 + i * 190
        draw.rounded_rectangle((left, 120 + i * 30, left + 300, 420 + i * 30), 28, fill=colour)
    image.paste(overlay, (0, 0), overlay)
    return image


# Alt text → drawing, for the reference page's Featured stories in order; "" is decorative.
DRAWINGS = [_exchange_logo, _planes_around_globe, _notebook, _abstract]
# Where the subject is, for Wagtail's focal point: (x, y, width, height) in pixels.
FOCAL_POINTS = [(600, 340, 420, 420), (600, 337, 820, 540), (600, 345, 600, 510), None]


def make_featured_image(index: int, *, title: str, alt: str):
    """Save the drawing for story `index` as a Wagtail image whose description is `alt`."""
    drawing = DRAWINGS[index]()
    buffer = io.BytesIO()
    # The logo is a flat drawing (PNG keeps its edges); the rest are JPEG like most photos.
    fmt, ext = ("PNG", "png") if index == 0 else ("JPEG", "jpg")
    drawing.save(buffer, fmt, **({"quality": 88} if fmt == "JPEG" else {"optimize": True}))
    buffer.seek(0)
    image = get_image_model()(
        title=title,
        description=alt,
        file=ImageFile(buffer, name=f"featured-{index + 1}.{ext}"),
    )
    focal = FOCAL_POINTS[index]
    if focal is not None:
        x, y, w, h = focal
        image.focal_point_x, image.focal_point_y = x, y
        image.focal_point_width, image.focal_point_height = w, h
    image._set_image_file_metadata()  # size and hash, as Wagtail's upload form sets them
    image.save()
    return image
