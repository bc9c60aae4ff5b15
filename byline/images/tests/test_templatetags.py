"""{% responsive_image %} as a template draws it: <picture> with modern sources, a sized
fallback, srcset and sizes from the preset, lazy loading past the first images, and nothing
at all for a missing or unreadable image."""

import re

import pytest
from django.template import Context, Template


def draw(image, preset="card", **options) -> str:
    args = "".join(f" {name}={name}" for name in options)
    template = Template(f'{{% load images_tags %}}{{% responsive_image image "{preset}"{args} %}}')
    return template.render(Context({"image": image, **options}))


def attrs(tag: str) -> dict[str, str]:
    return dict(re.findall(r'([a-z-]+)="([^"]*)"', tag))


def img_of(html: str) -> str:
    return re.search(r"<img [^>]*>", html).group(0)


def widths(srcset: str) -> list[str]:
    return [candidate.split()[1] for candidate in srcset.split(", ")]


@pytest.mark.django_db
class TestResponsiveImage:
    def test_picture_has_modern_sources_and_a_sized_fallback(self, make_image):
        html = draw(make_image(description="A chart of partner revenue"))
        webp = re.search(r'<source [^>]*type="image/webp"[^>]*>', html).group(0)
        assert re.search(r'srcset="[^"]+\.webp 320w, [^"]+\.webp 640w, [^"]+\.webp 960w"', webp)
        assert 'sizes="(min-width: 62rem) 25rem, calc(100vw - 2.5rem)"' in webp
        img = img_of(html)
        # A 1200×675 original in 16:9 cards of 320, 640 and 960 pixels.
        assert (attrs(img)["width"], attrs(img)["height"]) == ("320", "180")
        srcset = attrs(img)["srcset"]
        assert widths(srcset) == ["320w", "640w", "960w"]
        assert all(c.split()[0].endswith(".jpg") for c in srcset.split(", "))
        assert attrs(img)["sizes"] == "(min-width: 62rem) 25rem, calc(100vw - 2.5rem)"
        assert attrs(img)["alt"] == "A chart of partner revenue"

    def test_the_first_images_load_at_once_and_the_rest_lazily(self, make_image):
        """The card preset loads one image eagerly: position 0 is eager, 1 is lazy."""
        image = make_image()
        assert attrs(img_of(draw(image, position=0)))["loading"] == "eager"
        assert attrs(img_of(draw(image, position=1)))["loading"] == "lazy"

    def test_alt_and_class_given_to_the_tag_win(self, make_image):
        image = make_image(description="The description")
        img = attrs(img_of(draw(image, alt="Given", css_class="featured-image")))
        assert (img["alt"], img["class"]) == ("Given", "featured-image")
        assert attrs(img_of(draw(image, alt="")))["alt"] == ""

    def test_avif_source_comes_first_when_pillow_writes_avif(self, make_image, settings):
        from PIL import features

        settings.BYLINE_IMAGES_AVIF = True
        types = re.findall(r'<source [^>]*type="([^"]+)"', draw(make_image()))
        expected = ["image/avif", "image/webp"] if features.check("avif") else ["image/webp"]
        assert types == expected

    def test_png_originals_fall_back_to_png(self, make_image):
        assert re.search(r'src="[^"]+\.png"', img_of(draw(make_image(fmt="PNG"))))

    def test_small_originals_are_not_offered_at_widths_they_do_not_have(self, make_image):
        img = img_of(draw(make_image(700, 400)))
        assert widths(attrs(img)["srcset"]) == ["320w", "640w"]

    def test_the_body_preset_keeps_the_image_shape(self, make_image):
        img = img_of(draw(make_image(2000, 1000), preset="body"))
        assert (attrs(img)["width"], attrs(img)["height"]) == ("480", "240")
        assert widths(attrs(img)["srcset"]) == ["480w", "800w", "1200w", "1600w"]

    def test_no_image_draws_nothing(self):
        assert draw(None) == ""

    def test_an_unreadable_original_draws_nothing(self, make_image, caplog):
        image = make_image()
        # The file on disk is damaged after upload (no renditions made yet).
        with image.file.open("wb") as damaged:
            damaged.write(b"\xff\xd8\xff\xe0 not the rest of a JPEG")
        assert draw(image) == ""
        assert f"Cannot render image {image.pk} in preset card" in caplog.text
