"""Would Jinja2 make a post page's render cheap? The same HTML made by the Django template
language and by Jinja2 (issue #14 item 1: "Jinja2 is a fair choice where the Django template
language is the cost; decide by measurement").

    BYLINE_VAR_DIR=DIR DATABASE_URL=sqlite:///DIR/bench.sqlite3 BYLINE_LOG_LEVEL=WARNING \
    BYLINE_PAGECACHE_REDIS_URL=off DJANGO_SETTINGS_MODULE=byline.settings \
    PYTHONPATH=JINJA .venv/bin/python bench/template_engine.py [--rounds 2] [--lists 40]

DIR is a scratch site such as the one bake_bench.py builds (never the development database).
Jinja2 is no dependency of Byline: install it somewhere of its own (`pip install --target
JINJA jinja2`) and put that on PYTHONPATH.

The fragment is a post page's "More from" and "Related" lists: ten links to posts, each with
its title and date, as blogs/includes/post_more.html writes them. Both engines call the same
Python for what is not template work (a post's address, Django's date filter), so the
difference is the engines'. The script checks that both make the same bytes, then prints CPU
ms per list for each engine, `--rounds` times.
"""

from __future__ import annotations

import argparse
import sys
import time

import django

django.setup()

from django.template import Context, Template  # noqa: E402
from django.template.defaultfilters import date as date_filter  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from byline.blogs.models import PostPage  # noqa: E402

LIST = (
    '<ul>{% for post in posts %}<li><a href="URL">{{ post.title }}</a> '
    "<time datetime=\"{{ post.date|date:'c' }}\">{{ post.date|date:'F j, Y' }}</time></li>"
    "{% endfor %}</ul>"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lists", type=int, default=40)
    args = parser.parse_args()
    try:
        import jinja2
    except ImportError:
        sys.exit("Jinja2 is not importable: pip install --target DIR jinja2, then PYTHONPATH=DIR")

    posts = list(PostPage.objects.live().order_by("-pk")[: args.lists * 10])
    if len(posts) < args.lists * 10:
        sys.exit(f"The site has fewer than {args.lists * 10} live posts.")
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    django_list = Template(
        "{% load wagtailcore_tags %}" + LIST.replace("URL", "{% pageurl post %}")
    )
    environment = jinja2.Environment(autoescape=True)
    environment.filters["date"] = date_filter
    environment.globals["pageurl"] = lambda request, page: page.get_url(request)
    jinja_list = environment.from_string(
        LIST.replace("URL", "{{ pageurl(request, post) }}")
        .replace("|date:", "|date(")
        .replace("'c' }}", "'c') }}")
        .replace("'F j, Y' }}", "'F j, Y') }}")
    )
    engines = {
        "Django": lambda page: django_list.render(Context({"posts": page, "request": request})),
        "Jinja2": lambda page: jinja_list.render(posts=page, request=request),
    }
    first = posts[:10]
    if engines["Django"](first) != engines["Jinja2"](first):
        sys.exit("The two templates do not make the same HTML.")
    for round_number in range(1, args.rounds + 1):
        for name, render in engines.items():
            started = time.process_time()
            for number in range(args.lists):
                render(posts[number * 10 : (number + 1) * 10])
            spent = (time.process_time() - started) * 1000 / args.lists
            print(f"round {round_number}, {name}: {spent:.2f} ms CPU per list of 10 posts")


if __name__ == "__main__":
    main()
