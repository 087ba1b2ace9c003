"""Forms of the agency portal and of the organisers' admin actions. They check shape only: the services
(govcases.services) decide what the rules of the round allow, and govcases.uploads decides what a file is."""

import hashlib
import re

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.validators import validate_email
from django.template import loader
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .bulk import GROUPS
from .enums import Level
from .models import Case, Category, OutboxMessage, Profile, Round
from .outbox import outbox_queue
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


class CaseIdentifyingPartsForm(forms.ModelForm):
    """The organisers' case page (CaseAdmin): the case itself is read-only there; what they change is which of
    its pictures and attachments identify its agency. The boxes are columns of the page's tables of
    pictures and attachments (CaseAdmin.image_table, .attachment_table)."""

    identifying_images = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("pictures that identify the agency")
    )
    identifying_attachments = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label=_("attachments that identify the agency")
    )

    PART_FIELDS = ["identifying_images", "identifying_attachments"]

    class Meta:
        model = Case
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifying_images"].queryset = self.instance.images.all()
        self.fields["identifying_attachments"].queryset = self.instance.attachments.all()
        if self.is_bound:
            # What the case's history compares the posted boxes with.
            for name in self.PART_FIELDS:
                self.initial[name] = [part.pk for part in self.fields[name].queryset if part.identifying]

    def changed_parts(self) -> list[tuple]:
        """The pictures and attachments whose mark the organiser changed, each with its new mark."""
        changed = []
        for name in self.PART_FIELDS:
            marked = {part.pk for part in self.cleaned_data[name]}
            changed += [
                (part, part.pk in marked)
                for part in self.fields[name].queryset
                if part.identifying != (part.pk in marked)
            ]
        return changed


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


class WithdrawForm(forms.Form):
    """The confirmation of a withdrawal; the reason is optional and goes into the case's history."""

    confirmed = forms.BooleanField(widget=forms.HiddenInput, initial=True)
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The organisers read it in the case's history."),
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
    language = forms.ChoiceField(
        label=_("Language of their e-mails"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,
        help_text=_("For new accounts; an existing account keeps the language it has."),
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


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's password reset, its e-mail written to the outbox (in the user's language) instead of being
    sent inside the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        language = (
            Profile.objects.filter(user=user).values_list("language", flat=True).first() or get_language()
        )
        with translation.override(language):
            subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
            body = loader.render_to_string(email_template_name, context)
        outbox_queue(
            messages=[
                OutboxMessage(
                    recipient=to_email, language=language, kind="password_reset", subject=subject, body=body
                )
            ]
        )


class BulkMailForm(forms.Form):
    """What an organiser writes to a group: the group, its round and filter, and the text."""

    round = forms.ModelChoiceField(Round.objects.all(), label=_("Round"))
    group = forms.ChoiceField(label=_("Write to"))
    category = forms.ModelChoiceField(
        Category.objects.all(),
        label=_("Category"),
        required=False,
        help_text=_("For agencies of a category."),
    )
    level = forms.ChoiceField(
        label=_("Level"),
        choices=[("", "---------"), *Level.choices],
        required=False,
        help_text=_("For agencies of a level."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Placeholders: {{ name }} (the agency or reviewer), {{ round.title }}, {{ url }} (their portal or review site)."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(key, group.label) for key, group in GROUPS.items()]

    def clean(self):
        cleaned = super().clean()
        group = GROUPS.get(cleaned.get("group"))
        if group and group.needs == "category" and not cleaned.get("category"):
            self.add_error("category", _("Choose the category whose agencies you write to."))
        if group and group.needs == "level" and not cleaned.get("level"):
            self.add_error("level", _("Choose the level whose agencies you write to."))
        return cleaned

    def digest(self) -> str:
        """A fingerprint of what was previewed: sending needs the same, so nobody sends an unseen text."""
        fields = ["round", "group", "category", "level", "subject", "body"]
        data = "\x1f".join(
            str(
                self.cleaned_data.get(name)
                and getattr(self.cleaned_data[name], "pk", self.cleaned_data[name])
            )
            for name in fields
        )
        return hashlib.sha256(data.encode()).hexdigest()


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


def _local_datetime(label, *, required=True, help_text=""):
    # A date and time field the browser helps with (datetime-local), typed by hand where it does not.
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class RoundCopyForm(forms.Form):
    """“Start from last year”: the round to copy and what the new round changes (its year, title, dates)."""

    source = forms.ModelChoiceField(
        label=_("Start from"),
        queryset=Round.objects.order_by("-year"),
        help_text=_("Its quotas, rubrics, settings and guidelines are copied."),
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    title = forms.CharField(label=_("Title"), max_length=120)
    submission_opens = _local_datetime(
        _("Submissions open"), required=False, help_text=_("Leave empty to accept submissions at once.")
    )
    submission_deadline = _local_datetime(_("Submission deadline"))
    review_deadline = _local_datetime(
        _("Review deadline"), required=False, help_text=_("After the submission deadline.")
    )

    @staticmethod
    def initial_from(source: Round | None) -> dict:
        """The next year's round as the source suggests it: one year on, the same dates a year later."""
        if source is None:
            return {}

        def year_later(moment):
            return moment.replace(year=moment.year + 1) if moment else None

        return {
            "source": source,
            "year": source.year + 1,
            "title": source.title.replace(str(source.year), str(source.year + 1)),
            "submission_opens": year_later(source.submission_opens),
            "submission_deadline": year_later(source.submission_deadline),
            "review_deadline": year_later(source.review_deadline),
        }
