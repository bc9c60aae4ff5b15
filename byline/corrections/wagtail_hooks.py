"""Corrections in the Wagtail admin: a snippet, the post picked with a page chooser that
offers posts only (the foreign key's model), listed and filtered per post."""

import django_filters
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from byline.blogs.models import PostPage
from byline.corrections.models import Correction


def _corrected_posts(request):
    # Only posts that have a note: a select of every post would be a site's whole archive.
    return PostPage.objects.filter(corrections__isnull=False).distinct().order_by("title")


class CorrectionFilterSet(WagtailFilterSet):
    post = django_filters.ModelChoiceFilter(queryset=_corrected_posts, label="Post")

    class Meta:
        model = Correction
        fields = ["post", "kind"]


class CorrectionViewSet(SnippetViewSet):
    model = Correction
    icon = "warning"
    menu_label = "Corrections"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["post", "kind", "published_at"]
    filterset_class = CorrectionFilterSet
    ordering = ["-published_at", "-pk"]


register_snippet(CorrectionViewSet)
