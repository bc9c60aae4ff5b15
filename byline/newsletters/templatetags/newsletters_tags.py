"""The newsletter sign-up form for any page: ``{% newsletter_signup blog=blog %}``,
``{% newsletter_signup author=author %}``, or ``{% newsletter_signup %}`` for everything.

The HTML is the same for every reader (a form token shared by all, no CSRF cookie), so a
page carrying it can be kept in the page store and baked (byline/core/formguard.py), and
each process renders it once per list and name for a few minutes (byline.core.frame): the
form's widgets cost more than the rest of a page's frame together."""

from __future__ import annotations

import time

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from byline.core import frame
from byline.newsletters import scopes
from byline.newsletters.forms import SignupForm

register = template.Library()


# A remembered form is made again after this long: its token carries the time it was made.
FORM_SECONDS = 300


@register.simple_tag(takes_context=True)
def newsletter_signup(context, blog=None, author=None, heading_level: int = 2) -> SafeString:
    blog = blog or None  # a template passes "" for a missing variable
    author = author or None
    if blog is not None:
        target = scopes.Target(scope=scopes.scope_of(blog=blog), name=blog.title, blog=blog)
    elif author is not None:
        target = scopes.Target(
            scope=scopes.scope_of(author=author), name=author.name, author=author
        )
    else:
        name = context.get("site_name") or scopes.publication_name()
        target = scopes.Target(scope=scopes.ALL, name=name)
    prefix = target.scope.replace(":", "-")

    def render() -> SafeString:
        form = SignupForm(initial={"scope": target.scope}, auto_id=f"newsletter-{prefix}-%s")
        return render_to_string(
            "newsletters/includes/signup_form.html",
            {
                "form": form,
                "target": target,
                "heading_level": heading_level,
                "heading_id": f"newsletter-{prefix}-heading",
            },
        )

    # Everything the HTML shows is in the key (the name too: an author's rename does not
    # change the content version).
    key = ("newsletter-signup", target.scope, target.name, heading_level)
    return frame.remembered(
        context.get("request"),
        key,
        render,
        until=lambda _html: time.time() + FORM_SECONDS,
        per_page=True,
    )
