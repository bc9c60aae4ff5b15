"""Authors in the Wagtail admin, as a snippet with search and a list editors can scan; a new
post offers back the drafts its editor left in the blog (drafts.py)."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from byline.blogs import drafts
from byline.blogs.models import Author, PostPage


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    menu_order = 200
    add_to_admin_menu = True
    list_display = ["name", "role", "slug"]
    search_fields = ["name"]


register_snippet(AuthorViewSet)


@hooks.register("before_create_page")
def offer_back_left_drafts(request, parent_page, page_class):
    if issubclass(page_class, PostPage):
        return drafts.before_new_post(request, blog=parent_page)
    return None
