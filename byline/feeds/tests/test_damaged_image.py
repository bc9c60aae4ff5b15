"""A post whose lead image file is gone still renders, with no social image."""

import pytest
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from tests.factories import build_site_tree, make_post


@pytest.mark.django_db
def test_post_with_missing_image_file_is_not_a_500(client):
    tree = build_site_tree()
    image = Image.objects.create(title="Gone", file=get_test_image_file())
    post = make_post(tree.blog, slug="with-image")
    post.lead_image = image
    post.save_revision().publish()
    image.file.storage.delete(image.file.name)  # the original vanished from disk

    response = client.get(post.url)
    assert response.status_code == 200
    assert b'property="og:image"' not in response.content
