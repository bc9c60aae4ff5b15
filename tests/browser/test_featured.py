"""The Featured list in a real browser: its images load, in the right format, and nothing
moves when they arrive (the boxes held for them before loading are the boxes after)."""

import importlib

import pytest
from django.urls import clear_url_caches

from byline.demo.reference import load_reference_content

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

POST_URL = "/blogs/bekkers-blog/2011/07/why-partners-like-steve-ballmer/"
TITLES = [
    "Microsoft Offers Support Extensions for Exchange 2016 and 2019",
    "2025 Microsoft Conference Calendar: For Partners, IT Pros and Developers",
    "Microsoft Centers AI, Security and Partner Dogfooding at MCAPS",
    "Microsoft Layoffs: AI Is the Obvious Elephant in the Room",
]
# Each image's box in page coordinates, and whether it has loaded.
BOXES = """() => [...document.querySelectorAll('.featured img')].map(img => {
    const r = img.getBoundingClientRect();
    return {x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height,
            loaded: img.complete && img.naturalWidth > 0, src: img.currentSrc, alt: img.alt};
})"""


@pytest.fixture(autouse=True)
def wagtail_roots(transactional_db, settings):
    """Wagtail's root page, root collection and default locale, which its migrations create.
    serialized_rollback puts them back after a transactional flush, except (seen here) when
    ordinary tests ran earlier in the same session; then the reference content has nowhere
    to go."""
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale, Page

    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _ = Locale.objects.get_or_create(language_code=language)
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@pytest.fixture
def media_served(settings):
    """Serve the media files this test writes: byline.urls binds MEDIA_ROOT when imported, and
    the test settings moved it to a temporary folder."""
    import byline.urls

    importlib.reload(byline.urls)
    clear_url_caches()
    yield
    importlib.reload(byline.urls)
    clear_url_caches()


def load_reference_with_renditions():
    """The reference content, with the renditions a worker would have made after the demo
    (tests run tasks inline, where warming is skipped), so the first view is not minutes of
    AVIF encoding on a busy machine."""
    from wagtail.images import get_image_model

    from byline.images.tasks import warm_renditions

    load_reference_content()
    image_ids = list(get_image_model().objects.values_list("pk", flat=True))
    warm_renditions.call(image_ids=image_ids, preset_names=["card", "thumb"])


def load_with_images_held(page, url):
    """Open `url` with every image response held back; return the boxes before and after the
    images are let through and have loaded."""
    held, holding = [], [True]

    def hold(route):
        if holding[0]:
            held.append(route)
        else:
            route.continue_()

    page.route("**/media/images/**", hold)
    page.goto(url, wait_until="domcontentloaded")
    before = page.evaluate(BOXES)
    holding[0] = False
    for route in held:
        route.continue_()
    # Bring the lazy ones into range, then wait for every image to arrive.
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    # Polled from here: wait_for_function evaluates a string, which the site's CSP forbids.
    for _ in range(100):
        if all(box["loaded"] for box in page.evaluate(BOXES)):
            break
        page.wait_for_timeout(100)
    page.evaluate("window.scrollTo(0, 0)")
    return before, page.evaluate(BOXES)


@pytest.mark.parametrize("path", ["/", POST_URL])
def test_featured_list_renders_with_images_and_no_layout_shift(
    live_server, browser, media_served, path
):
    load_reference_with_renditions()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    before, after = load_with_images_held(page, f"{live_server.url}{path}")

    featured = page.get_by_role("complementary").filter(
        has=page.get_by_role("heading", name="Featured", level=2)
    )
    assert [link.inner_text() for link in featured.get_by_role("heading", level=3).all()] == TITLES
    assert [box["alt"] for box in after] == [
        "The Exchange Server logo",
        "An image of planes flying around a globe",
        "Notebook",
        "",
    ]
    assert not any(box["loaded"] for box in before)
    assert all(box["loaded"] for box in after)
    # Chromium takes the best source it decodes: AVIF or WebP, not the JPEG/PNG fallback.
    assert all(box["src"].endswith((".avif", ".webp")) for box in after)
    # Every image had its final box before a byte of it arrived.
    for held, loaded in zip(before, after, strict=True):
        assert held["w"] > 0 and held["h"] > 0
        assert (held["x"], held["y"], held["w"], held["h"]) == pytest.approx(
            (loaded["x"], loaded["y"], loaded["w"], loaded["h"]), abs=0.5
        )
    context.close()


def test_featured_cards_fit_a_phone(live_server, browser, media_served):
    load_reference_with_renditions()
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    before, after = load_with_images_held(page, f"{live_server.url}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert [round(box["h"]) for box in before] == [round(box["h"]) for box in after]
    assert all(box["w"] <= 375 for box in after)
    context.close()
