"""The readers' comment form: plain fields, the shared form guard, nothing that needs JavaScript."""

from __future__ import annotations

from django import forms
from django.core.validators import URLValidator

from byline.comments.models import ReaderComment
from byline.comments.pages import page_noun
from byline.comments.text import CONTROL_CHARS
from byline.core.formguard import FormGuardMixin

MAX_BODY = 5000


def _no_control_characters(value: str) -> None:
    if "\x00" in value or CONTROL_CHARS.search(value):
        raise forms.ValidationError("Please remove the control characters.", code="control")


class _WebsiteField(forms.URLField):
    """A web address, http or https only: in place of URLField's own validator (which takes
    ftp too), not beside it, or a javascript: address got the same error twice."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class _SolutionField(forms.CharField):
    """A field with no validators at all, not even Django's NUL check: an error on a hidden
    field is one the reader cannot see or fix. Whatever comes, proof_of_work.verify_solution
    judges it, and a bad solution holds the comment instead of refusing the form."""

    def run_validators(self, value) -> None:
        return None


class CommentForm(FormGuardMixin, forms.Form):
    formguard_purpose = "comments.comment"
    formguard_reject_bots = False  # bots' comments are kept as spam for review

    name = forms.CharField(
        max_length=100,
        validators=[_no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label="E-mail",
        max_length=254,
        help_text="Never shown. Used only to tell you of replies.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    website = _WebsiteField(
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text="Optional; your name links to it.",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )
    body = forms.CharField(
        label="Comment",
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 6}),
        validators=[_no_control_characters],
        help_text="Plain text. Blank lines start paragraphs; web addresses become links.",
    )
    notify_replies = forms.BooleanField(
        required=False, label="E-mail me when someone replies", label_suffix=""
    )
    parent = forms.CharField(required=False, widget=forms.HiddenInput, max_length=20)
    # Filled by altcha.js when proof of work is on (proof_of_work.py).
    altcha = _SolutionField(required=False, widget=forms.HiddenInput, strip=False)

    def __init__(self, *args, post=None, **kwargs):
        self.post = post
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].replace("\r\n", "\n").strip()
        if not body:
            raise forms.ValidationError("Please write a comment.", code="required")
        return body

    def clean_parent(self) -> ReaderComment | None:
        raw = self.cleaned_data.get("parent", "").strip()
        if not raw:
            return None
        parent = None
        if raw.isascii() and raw.isdigit() and self.post is not None:
            parent = (
                ReaderComment.objects.approved()
                .conversation()
                .filter(pk=int(raw), post=self.post)
                .first()
            )
        if parent is None:
            raise forms.ValidationError(
                f"The comment you replied to is not on this {page_noun(self.post)}.",
                code="parent",
            )
        return parent
