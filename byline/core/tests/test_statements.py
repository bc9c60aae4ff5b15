"""A queryset made into SQL once and run again with other values (byline.core.statements)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db.models.signals import post_init

from byline.core.statements import Statement, raw_instances

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


class TestRawInstances:
    """raw_instances loads what raw() loads, working out its columns once per statement."""

    @staticmethod
    def loaded(instance) -> dict:
        deferred = instance.get_deferred_fields()
        return {
            field.attname: field.value_to_string(instance)
            for field in instance._meta.concrete_fields
            if field.attname not in deferred
        }

    def test_same_instances_as_raw_with_converters_and_extra_columns(self):
        import datetime

        from byline.blogs.models import PostPage
        from tests.factories import build_site_tree, make_post

        tree = build_site_tree()
        at = datetime.datetime(2011, 7, 13, 12, tzinfo=datetime.UTC)
        for n in range(3):
            make_post(tree.blog, title=f"Post {n}", date=at + datetime.timedelta(days=n))
        # Every column (dates, a StreamField's JSON), a column that is no field, and a
        # date-time parameter, which both adapt to what the database stores.
        sql = """
            SELECT *, pg.title || '!' AS shouted FROM blogs_postpage p
            JOIN wagtailcore_page pg ON pg.id = p.page_ptr_id
            WHERE p.date >= %s ORDER BY p.date DESC
        """
        since = at + datetime.timedelta(days=1)
        for _ in range(2):  # the second time from the kept plan
            expected = list(PostPage.objects.raw(sql, [since]))
            found = raw_instances(PostPage, sql, [since])
            assert [post.title for post in found] == ["Post 2", "Post 1"]
            assert [self.loaded(post) for post in found] == [self.loaded(p) for p in expected]
            assert [post.shouted for post in found] == ["Post 2!", "Post 1!"]
            assert all(isinstance(post.date, datetime.datetime) for post in found)
            assert [post.body.get_prep_value() for post in found] == [
                p.body.get_prep_value() for p in expected
            ]

    def test_some_columns_leave_the_others_deferred(self, users):
        found = raw_instances(User, "SELECT id, username FROM auth_user ORDER BY id", [])
        assert [(user.pk, user.username) for user in found] == [(u.pk, u.username) for u in users]
        assert all(user.get_deferred_fields() >= {"email"} for user in found)
        assert found[0].email == "a@example.com"  # loaded when asked, as raw()'s are

    def test_the_plan_is_worked_out_once_per_statement(self, users, monkeypatch):
        from byline.core import statements

        made = []
        plan = statements._RawPlan

        def counting_plan(*args):
            made.append(args[1])
            return plan(*args)

        monkeypatch.setattr(statements, "_RawPlan", counting_plan)
        sql = "SELECT id, username FROM auth_user WHERE id >= %s ORDER BY id"
        for user in users:
            assert raw_instances(User, sql, [user.pk])[0] == user
        raw_instances(User, "SELECT id FROM auth_user", [])
        assert made == [["id", "username"], ["id"]]

    def test_a_statement_without_the_primary_key_is_refused(self, users):
        with pytest.raises(ValueError, match="primary key"):
            raw_instances(User, "SELECT username FROM auth_user", [])
