"""Reviewers by spreadsheet: name, e-mail, affiliation (an agency's name or an institution), categories of
expertise and declared conflicts (agencies), checked and invited as govcases.people_import describes."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.people_import import InvitationResource, RowForm, split_list

from .models import ReviewerProfile
from .services import ReviewerBatch


class ReviewerRowForm(RowForm):
    affiliation = forms.CharField(label=gettext_lazy("affiliation"), max_length=100, required=False)
    categories = forms.CharField(label=gettext_lazy("categories reviewed"))
    conflicts = forms.CharField(label=gettext_lazy("declared conflicts"), required=False)

    def clean_categories(self):
        found, unknown = [], []
        for name in split_list(self.cleaned_data["categories"]):
            category = self.lookups.category(name)
            (found if category else unknown).append(category or name)
        if unknown:
            raise ValidationError(
                _("No category is called %(names)s; the categories are %(known)s.")
                % {
                    "names": "、".join(f"“{name}”" for name in unknown),
                    "known": "、".join(category.name for category in self.lookups.categories),
                }
            )
        return found

    def clean_conflicts(self):
        found, unknown = [], []
        for name in split_list(self.cleaned_data["conflicts"]):
            agency = self.lookups.agency(name)
            (found if agency else unknown).append(agency or name)
        if unknown:
            raise ValidationError(
                _("No agency is called %(names)s.") % {"names": "、".join(f"“{name}”" for name in unknown)}
            )
        return found

    def clean(self):
        cleaned = super().clean()
        # An affiliation that names an agency is that agency (its conflicts follow); any other, an institution.
        affiliation = cleaned.get("affiliation") or ""
        cleaned["affiliation_agency"] = self.lookups.agency(affiliation) if affiliation else None
        return cleaned


class ReviewerResource(InvitationResource):
    columns = {
        **InvitationResource.columns,
        "affiliation": ("affiliation", "工作单位", "agency", "institution", "单位"),
        "categories": ("categories", "评审类别", "expertise", "专业类别"),
        "conflicts": ("conflicts", "回避单位", "declared conflicts", "申报回避"),
    }
    required = ("name", "email", "categories")
    agency_columns = ("affiliation", "conflicts")
    row_form = ReviewerRowForm

    class Meta(InvitationResource.Meta):
        model = ReviewerProfile
        name = gettext_lazy("reviewers")

    def new_batch(self, *, emails, by, action):
        return ReviewerBatch(by=by, emails=emails, action=action)

    def add(self, batch, cleaned):
        agency = cleaned["affiliation_agency"]
        return batch.add(
            email=cleaned["email"],
            name=cleaned["name"],
            categories=cleaned["categories"],
            institution="" if agency else cleaned["affiliation"],
            affiliation_agency=agency,
            declared_conflicts=cleaned["conflicts"],
            language=cleaned.get("language") or settings.LANGUAGE_CODE,
        )
