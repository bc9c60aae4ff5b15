"""The Featured list's admin form: new items go to the top of the list (static items_to_top.js)."""

from wagtail.admin.forms import WagtailAdminModelForm


class FeaturedListForm(WagtailAdminModelForm):
    """Wagtail's form for a list and its items, with the script that puts the "Add item"
    button above the items and each new item first: an editor adds the newest story, which
    leads the list, and drags the items into order (Wagtail's own drag handles)."""

    class Media:
        js = ["featured/admin/items_to_top.js"]
