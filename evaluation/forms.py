from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from govcases.permissions import allowed

from .permissions import EVALUATE


class EvaluatorLoginForm(AuthenticationForm):
    """The /evaluate/ login: any active evaluator, whether or not their account is marked as staff."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not allowed(user, EVALUATE):
            raise forms.ValidationError(
                _("This account is not an evaluator's. Log in at the portal or the organisers' site."),
                code="not_evaluator",
            )


def indicator_field_name(indicator) -> str:
    return f"indicator_{indicator.pk}"


class PanelForm(forms.Form):
    """One dimension's indicators that apply to the agency, each within its maximum points."""

    def __init__(self, *args, indicators, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator_field_name(indicator)] = forms.DecimalField(
                label=indicator.name,
                min_value=0,
                max_value=indicator.max_points,
                max_digits=7,
                decimal_places=2,
                required=False,
                help_text=_("0 to %(max)s points") % {"max": f"{indicator.max_points.normalize():f}"},
            )

    def points(self) -> dict:
        """{indicator: points} for the fields filled in."""
        return {
            indicator: self.cleaned_data[indicator_field_name(indicator)]
            for indicator in self.indicators
            if self.cleaned_data.get(indicator_field_name(indicator)) is not None
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet (XLSX)"),
        help_text=_("One row per agency (its name in the first column), one column per indicator code."),
    )
    submit = forms.BooleanField(label=_("Submit the imported scores (not only drafts)"), required=False)

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
