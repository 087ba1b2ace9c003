from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """A code from the authenticator app (six digits) or one of the backup codes."""

    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self):
        # People copy codes with spaces ("123 456"); backup codes are shown in lower case.
        return "".join(self.cleaned_data["token"].split()).lower()
