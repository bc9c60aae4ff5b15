"""The newsletter sign-up form for any page: ``{% newsletter_signup blog=blog %}``,
``{% newsletter_signup author=author %}``, or ``{% newsletter_signup %}`` for everything.

The HTML is the same for every reader (a form token shared by all, no CSRF cookie), so a
page carrying it can be kept in the page store and baked (byline/core/formguard.py)."""

from __future__ import annotations

from django import template

from byline.newsletters import scopes
from byline.newsletters.forms import SignupForm

register = template.Library()


@register.inclusion_tag("newsletters/includes/signup_form.html", takes_context=True)
def newsletter_signup(context, blog=None, author=None, heading_level: int = 2) -> dict:
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
    form = SignupForm(initial={"scope": target.scope}, auto_id=f"newsletter-{prefix}-%s")
    return {
        "form": form,
        "target": target,
        "heading_level": heading_level,
        "heading_id": f"newsletter-{prefix}-heading",
    }
