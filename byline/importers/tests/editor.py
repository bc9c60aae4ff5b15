"""Open a page in Wagtail's editor and save it again, as an editor's browser would submit it.

The StreamField's inputs are drawn by the editor's JavaScript from the block values; here the
same form data is made from the values with each block's own widget (Draftail's content
state for rich text, the chooser's id for images…), and the rest of the form is read from the
edit page's HTML.
"""

from __future__ import annotations

from django.http import QueryDict
from wagtail import blocks
from wagtail.images.blocks import ImageBlock
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html


def block_form_data(block: blocks.Block, value) -> object:
    """The nested form data the editor would post for `value` of `block`."""
    if isinstance(block, blocks.StreamBlock):
        children = {}
        for index, child in enumerate(value):
            children[str(index)] = {
                "type": child.block_type,
                "value": block_form_data(child.block, child.value),
                "deleted": "",
                "order": str(index),
                "id": child.id or "",
            }
        children["count"] = str(len(value))
        return children
    if isinstance(block, ImageBlock):
        value = block._image_to_struct_value(value)
    if isinstance(block, blocks.StructBlock):
        return {
            name: form
            for name, child in block.child_blocks.items()
            if (form := block_form_data(child, value.get(name))) is not None
        }
    if isinstance(block, blocks.ListBlock):
        items = {}
        for index, child in enumerate(value.bound_blocks):
            items[str(index)] = {
                "value": block_form_data(block.child_block, child.value),
                "deleted": "",
                "order": str(index),
                "id": child.id or "",
            }
        items["count"] = str(len(value))
        return items
    if isinstance(block, blocks.ChooserBlock):  # an image: the chooser posts its id
        return str(value.pk) if value else ""
    if isinstance(block, blocks.BooleanBlock):
        return "on" if value else None
    form_value = block.value_for_form(value)
    widget = block.field.widget
    if getattr(widget, "accepts_features", False):  # Draftail: HTML to its content state
        form_value = widget.format_value(form_value)
    return "" if form_value is None else str(form_value)


def form_errors(response) -> str:
    """What the editor said was wrong with a form it refused, for a test's message."""
    messages = [str(m) for m in response.context.get("messages", [])] if response.context else []
    form = response.context and response.context.get("form")
    if messages:
        return repr(messages)
    if form is None:
        return ""
    errors = form.errors.get("body")
    detail = errors.as_data()[0] if errors else None
    if detail is None or not getattr(detail, "block_errors", None):
        formsets = {name: fs.errors for name, fs in getattr(form, "formsets", {}).items()}
        return repr((form.errors, formsets))[:2000]
    return repr({i: getattr(e, "block_errors", e) for i, e in detail.block_errors.items()})[:2000]


def edit_and_save(client, page) -> tuple[int, int]:
    """GET the page's edit view, then POST it back unchanged (save draft). Returns both
    status codes; the saved revision is the page's latest."""
    url = f"/admin/pages/{page.pk}/edit/"
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, 0
    if page.get_lock() is not None:
        return 200, 423  # scheduled to go live: Wagtail locks it until unscheduled
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form")
    body = nested_form_data({"body": block_form_data(page.body.stream_block, page.body)})
    for key in [key for key in data if key.startswith("body-")]:
        del data[key]
    post = QueryDict(mutable=True)
    post.update(data)
    for key, value in body.items():
        post[key] = value
    saved = client.post(url, post)
    if saved.status_code == 200:
        raise AssertionError(f"{page.title}: {form_errors(saved)}")
    return 200, saved.status_code
