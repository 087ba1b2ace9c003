"""Forms of the agency portal and of the organisers' admin actions. They check shape only: the services
(govcases.services) decide what the rules of the round allow, and govcases.uploads decides what a file is."""

import re

from django import forms
from django.core.validators import validate_email
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import Case, Category, Round
from .services import CASE_FIELDS, SUBMISSION_REQUIRED

# A phone number as officers write it: digits with an optional +, spaces, hyphens, brackets and extension.
PHONE = re.compile(r"\+?[\d\s()（）-]+((转|ext\.?|x)\s*\d+)?", re.IGNORECASE)


class CaseForm(forms.ModelForm):
    """The case's text fields. Every field may be empty in a draft; submission names the missing ones."""

    service_url = forms.URLField(
        label=capfirst(Case._meta.get_field("service_url").verbose_name),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A link where the reviewers can see the service, starting with https://"),
    )

    class Meta:
        model = Case
        fields = CASE_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
            "description": forms.Textarea(attrs={"rows": 12}),
            "outcomes": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "category": _("The category the case competes in; each has its own number of places."),
            "title": _("A short name for the case, as it would appear in the list of results."),
            "summary": _("At most 300 characters: what the case does and for whom."),
            "description": _("How the service works, what is new about it and how it was built."),
            "outcomes": _("Figures that show the effect: time saved, users served, satisfaction."),
        }

    def clean_service_url(self):
        url = self.cleaned_data["service_url"]
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(
                _("The link must start with https:// so that reviewers and the public reach it safely."),
                code="not_https",
            )
        return url

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        digits = re.sub(r"\D", "", phone)
        if phone and (not PHONE.fullmatch(phone) or not 7 <= len(digits) <= 20):
            raise forms.ValidationError(
                _(
                    "Enter a phone number: digits, with an area code or extension if needed, such as "
                    "010-12345678 or 13800138000."
                ),
                code="not_a_phone",
            )
        return phone

    def __init__(self, *args, round: Round, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        category.queryset = Category.objects.filter(quotas__round=round).order_by("position", "pk")
        category.required = False
        category.empty_label = _("— choose a category —")
        for name, field in self.fields.items():
            field.required = False
            # Drafts may leave these empty; the form marks the ones submission will ask for.
            field.needed_to_submit = name in SUBMISSION_REQUIRED


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files from one input. Each file is judged later, one by one, so that one bad file does not
    cost the others (and the typed text) their place."""

    widget = MultipleFileInput

    def to_python(self, data):
        if not data:
            return []
        return [upload for upload in (data if isinstance(data, list | tuple) else [data]) if upload]


class CaseFilesForm(forms.Form):
    images = MultipleFileField(
        label=_("Add images"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_(
            "1 to 6 pictures of the service (JPEG, PNG or WebP). Location data in photos is removed."
        ),
    )
    attachments = MultipleFileField(
        label=_("Add PDF attachments"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,.pdf"}),
        help_text=_("Optional supporting documents, as PDF files."),
    )


class ReasonForm(forms.Form):
    """The reason an organiser must give when returning a case or declaring it ineligible."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The agency reads this reason in its e-mail and in the case's history."),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Give a reason."))
        return reason


class InviteForm(forms.Form):
    emails = forms.CharField(
        label=_("E-mail addresses"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One address per line. Each officer gets an e-mail with a link to choose a password."),
    )

    def clean_emails(self):
        addresses = [line.strip() for line in self.cleaned_data["emails"].replace(",", "\n").splitlines()]
        addresses = [address for address in addresses if address]
        wrong = []
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                wrong.append(address)
        if wrong:
            raise forms.ValidationError(
                _("These are not e-mail addresses: %(addresses)s") % {"addresses": ", ".join(wrong)}
            )
        if not addresses:
            raise forms.ValidationError(_("Enter at least one e-mail address."))
        return list(dict.fromkeys(addresses))


class StepForm(forms.Form):
    """The confirmation of an irreversible step: with work outstanding, an override and a reason."""

    override = forms.BooleanField(
        label=_("Go on although work is outstanding"),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with the step; required when going on with work outstanding."),
    )
