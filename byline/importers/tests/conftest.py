"""Fixtures of the importers tests: the small page tree every import goes into."""

import pytest

from tests.factories import build_site_tree


@pytest.fixture
def tree(db):
    return build_site_tree()
