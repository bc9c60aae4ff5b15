"""Renditions made ahead by the task worker: an upload or a new focal point queues every
preset's renditions, and until the worker has made them a page draws what exists (the
original, or the renditions in the fallback format made so far) without making any."""

import re

import pytest
from django.core.management import call_command
from wagtail.images import get_image_model

from byline.images import presets
from byline.images.presets import PRESETS, SOCIAL_SPEC, picture_html, rendition_url, specs_for
from byline.images.signals import renditions_ready

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def rendition_count() -> int:
    return get_image_model().get_rendition_model().objects.count()


def queued_image_ids() -> list[list[int]]:
    from django_tasks_db.models import DBTaskResult

    return [
        row.args_kwargs["kwargs"]["image_ids"]
        for row in DBTaskResult.objects.ready()
        if row.task_path.endswith("warm_renditions")
    ]


def run_worker() -> None:
    """The worker `byline serve` runs, until the queue is empty."""
    call_command("db_worker", batch=True, queue_name="*", no_startup_delay=True, verbosity=0)


def every_spec(image) -> set[str]:
    return {spec for name in PRESETS for spec in specs_for(image, name)} | {SOCIAL_SPEC}


@pytest.fixture
def worker_queue(settings):
    """Tasks go to the database queue, as under `byline serve`; nothing in the request runs
    them. Transactional tests: the worker closes connections between tasks."""
    settings.TASKS = DATABASE_TASKS
    presets._asked.clear()
    yield
    presets._asked.clear()


@pytest.mark.django_db(transaction=True)
class TestRenditionsMadeAhead:
    def test_an_upload_queues_every_preset_and_the_worker_makes_them(
        self, make_image, worker_queue
    ):
        image = make_image()
        assert queued_image_ids() == [[image.pk]]
        assert rendition_count() == 0
        ready = []

        def note(sender, image_ids, **kwargs):
            ready.append(image_ids)

        renditions_ready.connect(note)  # kept alive by this frame
        run_worker()
        made = set(image.renditions.values_list("filter_spec", flat=True))
        assert made == every_spec(image)
        assert ready and ready[-1] == [image.pk]

    def test_before_the_worker_a_page_draws_the_original_and_makes_nothing(
        self, make_image, worker_queue, django_assert_max_num_queries
    ):
        image = make_image(description="A chart")
        # One query looks the renditions up, one queues them (once per process); none is
        # made, no file is encoded.
        with django_assert_max_num_queries(2):
            html = picture_html(image, "card", css_class="featured-image")
        assert rendition_count() == 0
        assert "<picture>" not in html
        img = re.fullmatch(r"<img [^>]*>", html).group(0)
        assert f'src="{image.file.url}"' in img
        # A 1200×675 original at the card's narrowest width, in its own shape.
        assert 'width="320" height="180"' in img
        assert 'alt="A chart"' in img and 'class="featured-image"' in img
        run_worker()
        html = picture_html(get_image_model().objects.get(pk=image.pk), "card")
        assert "<picture>" in html and ".webp 960w" in html

    def test_the_social_card_is_the_original_until_made(self, make_image, worker_queue):
        image = make_image()
        assert rendition_url(image, SOCIAL_SPEC) == image.file.url
        assert rendition_count() == 0
        run_worker()
        url = rendition_url(get_image_model().objects.get(pk=image.pk), SOCIAL_SPEC)
        assert url != image.file.url and url.endswith(".jpg")

    def test_the_jpegs_made_so_far_are_drawn_before_the_rest(self, make_image, worker_queue):
        image = make_image()
        image.get_renditions("fill-320x180|format-jpeg", "fill-640x360|format-jpeg")
        img = re.search(r"<img [^>]*>", picture_html(image, "card")).group(0)
        srcset = re.search(r'srcset="([^"]*)"', img).group(1)
        assert [c.split()[1] for c in srcset.split(", ")] == ["320w", "640w"]
        assert rendition_count() == 2

    def test_a_new_focal_point_queues_new_crops(self, make_image, worker_queue):
        image = make_image()
        run_worker()
        before = image.renditions.count()
        image.set_focal_point(None)
        image.focal_point_x, image.focal_point_y = 100, 100
        image.focal_point_width = image.focal_point_height = 50
        image.save()
        assert queued_image_ids() == [[image.pk]]
        # Until the worker runs, the crops around the old focal point are not drawn.
        assert not presets.existing_renditions(image, ["fill-320x180|format-jpeg"])
        run_worker()
        cropped = [spec for spec in every_spec(image) if spec.startswith("fill-")]
        assert set(presets.existing_renditions(image, cropped)) == set(cropped)
        # The text column's widths do not depend on the focal point: made once.
        assert image.renditions.count() == before + len(cropped)

    def test_wagtail_noting_a_files_hash_queues_nothing(self, make_image, worker_queue):
        image = make_image()
        run_worker()
        image.file_hash = ""
        image.save(update_fields=["file_hash"])
        assert queued_image_ids() == []

    def test_a_reader_of_an_image_without_renditions_queues_them_once(
        self, make_image, worker_queue
    ):
        image = make_image()
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.all().delete()  # as if uploaded before renditions were made ahead
        picture_html(image, "card")
        picture_html(image, "thumb")
        assert queued_image_ids() == [[image.pk]]
