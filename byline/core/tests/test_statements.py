"""A queryset made into SQL once and run again with other values (byline.core.statements)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models.signals import post_init

from byline.core.statements import Statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def users():
    return [User.objects.create(username=name, email=f"{name}@example.com") for name in "abc"]


def test_objects_are_the_querysets_own_loaded_once_built(users, django_assert_num_queries):
    built = []

    def build(user_id):
        built.append(user_id)
        return User.objects.filter(pk__gte=user_id).only("username").order_by("-pk")

    statement = Statement(build)
    for user in users:
        with django_assert_num_queries(1):
            found = list(statement.objects(user.pk))
        expected = list(build(user.pk))
        assert [(u.pk, u.username) for u in found] == [(u.pk, u.username) for u in expected]
        assert found and all(u.get_deferred_fields() >= {"email"} for u in found)
    # Once with stand-ins when first used; the rest were this test's own calls.
    assert len(built) == 1 + len(users)


def test_rows_of_a_values_list_with_two_values(users):
    statement = Statement(
        lambda low, high: (
            User.objects.filter(pk__gte=low, pk__lte=high)
            .order_by("pk")
            .values_list("pk", "username")
        )
    )
    first, second, third = users
    assert statement.rows(first.pk, second.pk) == [(first.pk, "a"), (second.pk, "b")]
    assert statement.rows(third.pk, third.pk) == [(third.pk, "c")]
    assert statement.rows(third.pk, first.pk) == []
    with pytest.raises(TypeError, match="takes 2 values, not 1"):
        statement.rows(first.pk)


def test_loaded_objects_are_initialised_as_the_orm_would(users):
    """Instances come through the model's __init__: what notes a page's dependencies
    (post_init) sees them."""
    seen = []

    def note(sender, instance, **kwargs):
        seen.append(instance.pk)

    post_init.connect(note, sender=User)
    try:
        list(Statement(lambda user_id: User.objects.filter(pk=user_id)).objects(users[1].pk))
    finally:
        post_init.disconnect(note, sender=User)
    assert seen == [users[1].pk]


def test_a_value_that_is_not_a_parameter_is_refused(users):
    # The ORM writes no parameter for a value it turns into something else.
    statement = Statement(lambda user_id: User.objects.filter(username=str(user_id)))
    with pytest.raises(ValueError, match="Value 1 of the statement is not one of its SQL"):
        statement.rows(users[0].pk)
