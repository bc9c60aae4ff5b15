"""Named URLs are worked out once per name and arguments and stay right when what reverse()
depends on changes (byline.core.reversing, and {% url %} through it); {% static %} asks the
storage straight away (byline.core.templatetags.remembered_urls)."""

import types

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.urls import NoReverseMatch, path, set_script_prefix
from django.urls import reverse as django_reverse

from byline.core import reversing


def _view(request):
    return HttpResponse()


def _urlconf(name: str, prefix: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.urlpatterns = [path(f"{prefix}/<slug:slug>/", _view, name="probe")]
    return module


@pytest.fixture
def reversed_by_django(monkeypatch):
    """The names Django's reverse() was asked for, through the remembered one."""
    asked = []

    def counted(viewname, *args, **kwargs):
        asked.append(viewname)
        return django_reverse(viewname, *args, **kwargs)

    reversing._urls.clear()
    monkeypatch.setattr(reversing, "django_reverse", counted)
    yield asked
    reversing._urls.clear()


def test_the_same_answer_as_django_once(reversed_by_django):
    expected = django_reverse("blogs:author", kwargs={"slug": "ada"})
    assert reversing.reverse("blogs:author", kwargs={"slug": "ada"}) == expected
    assert reversing.reverse("blogs:author", kwargs={"slug": "ada"}) == expected
    assert reversing.reverse("blogs:author", kwargs={"slug": "bo"}) != expected
    assert reversing.reverse("comments:post", args=[7]) == django_reverse("comments:post", args=[7])
    assert reversed_by_django == ["blogs:author", "blogs:author", "comments:post"]


def test_a_new_script_prefix_is_seen(reversed_by_django):
    at_root = reversing.reverse("blogs:author", kwargs={"slug": "ada"})
    set_script_prefix("/news/")
    try:
        assert reversing.reverse("blogs:author", kwargs={"slug": "ada"}) == "/news" + at_root
    finally:
        set_script_prefix("/")
    assert reversing.reverse("blogs:author", kwargs={"slug": "ada"}) == at_root


def test_a_new_urlconf_is_seen(reversed_by_django, settings):
    settings.ROOT_URLCONF = _urlconf("probe_one", "one")
    assert reversing.reverse("probe", kwargs={"slug": "a"}) == "/one/a/"
    settings.ROOT_URLCONF = _urlconf("probe_two", "two")
    assert reversing.reverse("probe", kwargs={"slug": "a"}) == "/two/a/"


def test_arguments_other_than_text_and_numbers_are_reversed_every_time(reversed_by_django):
    class Renamed:
        """Hashed by what stays (as a model by its key), written by what changes (its str)."""

        def __init__(self, slug):
            self.slug = slug

        def __hash__(self):
            return 1

        def __eq__(self, other):
            return isinstance(other, Renamed)

        def __str__(self):
            return self.slug

    thing = Renamed("ada")
    assert reversing.reverse("blogs:author", args=[thing]) == django_reverse(
        "blogs:author", args=["ada"]
    )
    thing.slug = "bo"
    assert reversing.reverse("blogs:author", args=[thing]) == django_reverse(
        "blogs:author", args=["bo"]
    )


def test_errors_are_not_remembered(reversed_by_django):
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            reversing.reverse("blogs:author", kwargs={"slug": "not a slug"})
    assert len(reversed_by_django) == 2


def test_the_url_tag_reverses_through_it(reversed_by_django):
    template = Template(
        "{% url 'blogs:author' slug=slug %}|{% url 'blogs:author' 'ada' as there %}[{{ there }}]"
        "|{% url 'nowhere' as nothing %}[{{ nothing }}]"
    )
    expected = django_reverse("blogs:author", kwargs={"slug": "bo"})
    first = template.render(Context({"slug": "bo"}))
    assert first == template.render(Context({"slug": "bo"}))
    ada = django_reverse("blogs:author", args=["ada"])
    assert first == f"{expected}|[{ada}]|[]"
    # Once each for the two addresses; the missing one every time, as Django's tag would.
    assert reversed_by_django.count("blogs:author") == 2
    assert reversed_by_django.count("nowhere") == 2
    with pytest.raises(NoReverseMatch):
        Template("{% url 'nowhere' %}").render(Context())


def test_the_static_tag_asks_the_storage_straight_away(monkeypatch):
    from django.apps import apps

    ours = Template("{% static 'css/byline.css' %}|{% static 'js/share.js' as there %}{{ there }}")
    djangos = Template(
        "{% load static %}{% static 'css/byline.css' %}|{% static 'js/share.js' as there %}"
        "{{ there }}"
    )
    expected = djangos.render(Context())
    asked = []
    is_installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: asked.append(name) or is_installed(name))
    assert ours.render(Context()) == expected
    assert "byline.css" in expected and "share.js" in expected
    assert asked == []


def test_text_that_writes_itself_otherwise_is_reversed_every_time(reversed_by_django):
    import enum

    class Slug(str, enum.Enum):  # noqa: UP042 - StrEnum writes its value; this must not
        """Equal to "economy", written as "Slug.ECONOMY" (an enum member's str())."""

        ECONOMY = "economy"

    plain = reversing.reverse("blogs:tag", kwargs={"slug": "economy"})
    with pytest.raises(NoReverseMatch):  # Django writes "Slug.ECONOMY", not a slug
        reversing.reverse("blogs:tag", kwargs={"slug": Slug.ECONOMY})
    assert reversing.reverse("blogs:tag", kwargs={"slug": "economy"}) == plain
