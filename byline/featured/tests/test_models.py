"""What editors may save in a featured list: the rules of FeaturedItem.clean and the
constraints of the tables."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from byline.featured.models import FeaturedItem, FeaturedList
from tests.factories import make_post

from .conftest import at


def errors_of(item: FeaturedItem) -> dict:
    with pytest.raises(ValidationError) as caught:
        item.full_clean(exclude=["featured_list"])
    return caught.value.message_dict


@pytest.mark.django_db
class TestLink:
    def test_a_published_page_is_a_valid_link(self, story):
        FeaturedItem(page=story).full_clean(exclude=["featured_list"])

    def test_an_outside_url_with_a_title_is_valid(self, tree):
        FeaturedItem(url="https://example.com/x", title="Elsewhere").full_clean(
            exclude=["featured_list"]
        )

    def test_neither_page_nor_url_is_an_error(self, tree):
        assert "page" in errors_of(FeaturedItem(title="Nowhere"))

    def test_both_page_and_url_is_an_error(self, story):
        assert "url" in errors_of(FeaturedItem(page=story, url="https://example.com/"))

    def test_an_unpublished_page_is_an_error_naming_it(self, tree):
        draft = make_post(tree.blog, title="Not yet", live=False)
        message = errors_of(FeaturedItem(page=draft))["page"][0]
        assert "“Not yet” is not published" in message

    def test_outside_link_needs_a_title(self, tree):
        assert "title" in errors_of(FeaturedItem(url="https://example.com/"))

    @pytest.mark.parametrize(
        "url", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com/", "//x"]
    )
    def test_only_web_urls(self, tree, url):
        assert "url" in errors_of(FeaturedItem(url=url, title="Bad"))


@pytest.mark.django_db
class TestAltText:
    def test_own_image_without_alt_is_an_error(self, story, make_image):
        message = errors_of(FeaturedItem(page=story, image=make_image()))["image_alt"][0]
        assert "Describe the image" in message

    def test_own_image_with_alt_is_valid(self, story, make_image):
        FeaturedItem(page=story, image=make_image(), image_alt="A graph").full_clean(
            exclude=["featured_list"]
        )

    def test_decorative_image_needs_no_alt(self, story, make_image):
        FeaturedItem(page=story, image=make_image(), image_is_decorative=True).full_clean(
            exclude=["featured_list"]
        )

    def test_the_image_description_counts_as_alt(self, story, make_image):
        FeaturedItem(page=story, image=make_image(description="A graph")).full_clean(
            exclude=["featured_list"]
        )

    def test_lead_image_without_description_needs_alt(self, tree, make_image):
        post = make_post(tree.blog, title="Undescribed")
        post.lead_image = make_image(description="")
        post.save_revision().publish()
        assert "image_alt" in errors_of(FeaturedItem(page=post))

    def test_no_image_needs_no_alt(self, tree):
        post = make_post(tree.blog, title="Plain")
        FeaturedItem(page=post).full_clean(exclude=["featured_list"])


@pytest.mark.django_db
class TestWindow:
    def test_end_before_start_is_an_error(self, story):
        item = FeaturedItem(page=story, show_from=at(2025, 7, 2), show_until=at(2025, 7, 1))
        assert errors_of(item)["show_until"] == ["The window must end after it starts."]

    def test_end_equal_to_start_is_an_error(self, story):
        item = FeaturedItem(page=story, show_from=at(2025, 7, 1), show_until=at(2025, 7, 1))
        assert "show_until" in errors_of(item)

    def test_open_ended_windows_are_valid(self, story):
        FeaturedItem(page=story, show_from=at(2025, 7, 1)).full_clean(exclude=["featured_list"])
        FeaturedItem(page=story, show_until=at(2025, 7, 1)).full_clean(exclude=["featured_list"])

    def test_database_refuses_a_backwards_window_too(self, story, make_list):
        featured = make_list()
        with pytest.raises(IntegrityError):
            FeaturedItem.objects.create(
                featured_list=featured,
                page=story,
                show_from=at(2025, 7, 2),
                show_until=at(2025, 7, 1),
            )


@pytest.mark.django_db
class TestScope:
    def test_one_site_wide_list(self, tree, make_list):
        make_list(name="First")
        second = FeaturedList(name="Second")
        with pytest.raises(ValidationError, match="already a list for this scope"):
            second.full_clean()

    def test_one_list_per_blog_beside_the_site_wide_one(self, tree, make_list):
        make_list(name="Site")
        make_list(name="Blog", blog=tree.blog)
        with pytest.raises(ValidationError):
            FeaturedList(name="Blog again", blog=tree.blog).full_clean()
