"""Featured lists in the Wagtail admin, as snippets with their ordered items inline."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from byline.featured.models import FeaturedList


class FeaturedListViewSet(SnippetViewSet):
    model = FeaturedList
    icon = "pick"
    menu_label = "Featured"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "blog"]


register_snippet(FeaturedListViewSet)
