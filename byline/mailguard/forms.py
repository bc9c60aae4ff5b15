"""The author contact form: what a reader sends, checked before anything is mailed."""

from __future__ import annotations

import unicodedata

from django import forms

from byline.core import formguard


def _one_line(value: str) -> str:
    # Anything that ends a line (CR, LF, NEL, U+2028/9) or another control character would let
    # a reader write extra mail headers (header injection): refused, not cleaned.
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in value):
        raise forms.ValidationError("Keep this on one line.", code="multiline")
    return value


class ContactForm(formguard.FormGuardMixin, forms.Form):
    formguard_purpose = "mailguard.contact"

    name = forms.CharField(label="Your name", max_length=100)
    email = forms.EmailField(label="Your e-mail address", max_length=254)
    subject = forms.CharField(max_length=150)
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_name(self) -> str:
        return _one_line(self.cleaned_data["name"])

    def clean_email(self) -> str:
        return _one_line(self.cleaned_data["email"])

    def clean_subject(self) -> str:
        return _one_line(self.cleaned_data["subject"])
