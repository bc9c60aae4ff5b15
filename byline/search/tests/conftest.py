import pytest

from byline.core.testing import build_site_tree


@pytest.fixture
def tree(db):
    return build_site_tree()
