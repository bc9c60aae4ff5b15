"""Authors in the Wagtail admin, as a snippet with search and a list editors can scan; a new
post offers back the drafts its editor left in the blog (drafts.py); the Pages menu opens at
the publication; posts are scheduled in one step and listed on the dashboard (scheduling.py)."""

from django.urls import reverse
from wagtail import hooks
from wagtail.admin.ui.sidebar import PageExplorerMenuItem
from wagtail.admin.wagtail_hooks import ExplorerMenuItem
from wagtail.models import Site
from wagtail.permissions import page_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from byline.blogs import drafts, scheduling
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


class PublicationExplorerMenuItem(ExplorerMenuItem):
    """Wagtail's Pages menu, opened at the publication (the site's home page) rather than at
    Root, which holds nothing an editor writes: superusers and editors with rights over the
    whole tree alike. An editor whose rights start lower (one blog) keeps their own start."""

    def start_page(self, request):
        explorable = page_permission_policy.explorable_root_instance(request.user)
        site = Site.find_for_request(request) or Site.objects.filter(is_default_site=True).first()
        home = site.root_page if site is not None else None
        if explorable is None or home is None:
            return explorable
        if explorable.pk == home.pk or home.is_descendant_of(explorable):
            return home
        return explorable

    def get_context(self, request):
        context = super().get_context(request)
        if start := self.start_page(request):
            context["start_page_id"] = start.pk
        return context

    def render_component(self, request):
        start = self.start_page(request)
        if start is None:
            return super().render_component(request)
        return PageExplorerMenuItem(
            self.name,
            self.label,
            reverse("wagtailadmin_explore", args=[start.pk]),
            start.pk,
            icon_name=self.icon_name,
            classname=self.classname,
        )


@hooks.register("construct_main_menu")
def open_pages_at_the_publication(request, menu_items):
    for index, item in enumerate(menu_items):
        if item.name == "explorer" and type(item) is ExplorerMenuItem:
            menu_items[index] = PublicationExplorerMenuItem(
                item.label, item.url, name=item.name, icon_name=item.icon_name, order=item.order
            )


@hooks.register("register_page_action_menu_item")
def publish_at_menu_item():
    return scheduling.PublishAtMenuItem()


@hooks.register("construct_homepage_panels")
def list_scheduled_posts(request, panels):
    panels.append(scheduling.ScheduledPostsPanel())
