"""The sign-up form (one address, the shared form guard) and the preferences form."""

from __future__ import annotations

from django import forms

from byline.core.formguard import FormGuardMixin
from byline.newsletters import scopes
from byline.newsletters.models import Frequency


class SignupForm(FormGuardMixin, forms.Form):
    formguard_purpose = "newsletters.signup"

    email = forms.EmailField(
        label="Your e-mail address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text="We send a link to confirm; nothing else until you follow it.",
    )
    scope = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def clean_scope(self) -> scopes.Target:
        target = scopes.resolve(self.cleaned_data["scope"])
        if target is None:
            raise forms.ValidationError(
                "This newsletter is not available. Please sign up from the column's page.",
                code="scope",
            )
        return target


class PreferencesForm(forms.Form):
    keep = forms.MultipleChoiceField(
        label="Send me", required=False, widget=forms.CheckboxSelectMultiple
    )
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args, subscriptions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [(s.scope, s.target_name) for s in subscriptions]
