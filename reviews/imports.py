"""Reviewers by spreadsheet: name, e-mail, affiliation (an agency's name or an institution), categories of
expertise and declared conflicts (agencies), checked and invited as govcases.people_import describes."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import AccountAction
from govcases.models import Category
from govcases.people_import import InvitationResource, RowForm, agency_named, split_list

from .models import ReviewerProfile
from .services import reviewer_invite


class ReviewerRowForm(RowForm):
    affiliation = forms.CharField(label=gettext_lazy("affiliation"), max_length=100, required=False)
    categories = forms.CharField(label=gettext_lazy("categories reviewed"))
    conflicts = forms.CharField(label=gettext_lazy("declared conflicts"), required=False)

    def clean_categories(self):
        found, unknown = [], []
        for name in split_list(self.cleaned_data["categories"]):
            category = (
                Category.objects.filter(Q(name=name) | Q(name_en__iexact=name) | Q(code__iexact=name))
                .order_by("pk")
                .first()
            )
            (found if category else unknown).append(category or name)
        if unknown:
            raise ValidationError(
                _("No category is called %(names)s; the categories are %(known)s.")
                % {
                    "names": "、".join(f"“{name}”" for name in unknown),
                    "known": "、".join(Category.objects.values_list("name", flat=True)),
                }
            )
        return found

    def clean_conflicts(self):
        found, unknown = [], []
        for name in split_list(self.cleaned_data["conflicts"]):
            agency = agency_named(name)
            (found if agency else unknown).append(agency or name)
        if unknown:
            raise ValidationError(
                _("No agency is called %(names)s.") % {"names": "、".join(f"“{name}”" for name in unknown)}
            )
        return found


class ReviewerResource(InvitationResource):
    columns = {
        **InvitationResource.columns,
        "affiliation": ("affiliation", "工作单位", "agency", "institution", "单位"),
        "categories": ("categories", "评审类别", "expertise", "专业类别"),
        "conflicts": ("conflicts", "回避单位", "declared conflicts", "申报回避"),
    }
    required = ("name", "email", "categories")
    row_form = ReviewerRowForm

    class Meta(InvitationResource.Meta):
        model = ReviewerProfile
        name = gettext_lazy("reviewers")

    def invite(self, cleaned, *, by, action=AccountAction.INVITED):
        affiliation = cleaned["affiliation"]
        agency = agency_named(affiliation) if affiliation else None
        return reviewer_invite(
            email=cleaned["email"],
            name=cleaned["name"],
            categories=cleaned["categories"],
            institution="" if agency else affiliation,
            affiliation_agency=agency,
            declared_conflicts=cleaned["conflicts"],
            language=cleaned.get("language") or settings.LANGUAGE_CODE,
            by=by,
            action=action,
        )
