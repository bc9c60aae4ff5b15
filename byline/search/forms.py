"""The search form: the query and its filters, each one forgiving of bad input."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page

from byline.blogs.models import Author, BlogPage
from byline.blogs.visibility import readable_q
from byline.search.query import MAX_QUERY_CHARS


class WrittenSelect(forms.Select):
    """A single-choice <select> of flat choices (no groups), written here rather than through
    Django's widget templates, which render a template per option: the filters' three lists
    were about 40% of a search page's render. The same markup as forms.Select, but for
    whitespace between the tags."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            # As forms.Select: only the first option with the value is marked.
            selected = option_value in chosen
            chosen.discard(option_value)
            options.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    option_value,
                    " selected" if selected else "",
                    label,
                )
            )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            mark_safe("\n".join(options)),
        )


class SearchForm(forms.Form):
    # Longer input is accepted and cut (query.clean), never an error: a reader pasting a
    # paragraph still gets results.
    q = forms.CharField(required=False, strip=True, label="Search", widget=forms.SearchInput)
    blog = forms.ChoiceField(required=False, label="Blog", widget=WrittenSelect)
    author = forms.ChoiceField(required=False, label="Author", widget=WrittenSelect)
    year = forms.ChoiceField(required=False, label="Year", widget=WrittenSelect)

    def __init__(self, data, *, root: Page | None, choices: FilterChoices):
        super().__init__(data)
        self.root = root
        self.blogs, self.authors = choices.blogs, choices.authors
        self.fields["blog"].choices = [("", "All blogs")] + [
            (slug, blog.title) for slug, blog in self.blogs.items()
        ]
        self.fields["author"].choices = [("", "All authors")] + [
            (slug, author.name) for slug, author in self.authors.items()
        ]
        self.fields["year"].choices = [("", "Any year")] + [(str(y), str(y)) for y in choices.years]
        self.fields["q"].widget.attrs.update(
            {"maxlength": str(MAX_QUERY_CHARS * 4), "autocomplete": "off"}
        )

    def clean_q(self) -> str:
        return self.cleaned_data["q"].replace("\x00", "")


@dataclass(frozen=True)
class FilterChoices:
    """What the search form offers to narrow results by: blogs and authors by slug, years."""

    blogs: dict[str, Page]
    authors: dict[str, Author]
    years: list[int]


def filter_choices(root: Page | None) -> FilterChoices:
    """The blogs under `root`, every author and the years with posts."""
    # The blogs' ids from their own small table first (unordered: Page's default order by
    # path joins the page table), then their pages by id. Joined in one statement, SQLite
    # (with no table statistics) scanned every page of the site (70-140 ms at 100,000
    # posts) to find a handful.
    ids = list(BlogPage.objects.order_by().values_list("pk", flat=True)) if root else []
    blogs = Page.objects.filter(readable_q(), pk__in=ids).order_by("title")
    return FilterChoices(
        blogs={blog.slug: blog for blog in blogs if blog.path.startswith(root.path)},
        authors={author.slug: author for author in Author.objects.order_by("name")},
        years=year_choices(),
    )


def year_choices() -> list[int]:
    """Every year from the first post to this one, newest first."""
    from byline.blogs.models import PostPage

    first = PostPage.objects.published().order_by("date").values_list("date", flat=True).first()
    this_year = timezone.now().year
    start = first.year if first else this_year
    return list(range(this_year, start - 1, -1))
