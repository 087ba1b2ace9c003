"""The organisers' side of reviewing at /admin/: reviewers, rubrics, assignments, reviews.

Declarative where Django's admin allows it; every change goes through reviews.services, every read for a
page beyond the admin's own through reviews.selectors. Registered in reviews/admin/__init__.py.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.forms import modelformset_factory
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govcases.admin_actions import confirmation_page, run_for_each
from govcases.exceptions import Refused
from govcases.models import Category, Round
from govcases.people_import import InvitationImportAdmin, LanguageField
from govcases.permissions import REVIEWERS
from govcases.sites import AuditTrailInline, OrganisersOnly, ReadOnly

from .. import selectors, services
from ..enums import RUBRIC_FROZEN_PHASES, ReviewStatus
from ..forms import AssignmentRemovalForm, CriterionForm, ReopenForm
from ..imports import ReviewerResource, ReviewerRowForm
from ..models import Assignment, Criterion, Review, ReviewerProfile, ReviewEvent, ReviewRevision, Score

# --- reviewers -------------------------------------------------------------------------------------------


class ReviewerProfileForm(forms.ModelForm):
    """A reviewer's profile as the organisers edit it: never whose it is (the invitation decided that)."""

    reason = forms.CharField(
        label=gettext_lazy("reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Kept in the account's trail. Needed when the affiliated agency or the declared conflicts change."
        ),
    )

    class Meta:
        model = ReviewerProfile
        fields = [
            "affiliation_agency",
            "institution",
            "categories",
            "declared_conflicts",
            "max_load",
            "reason",
        ]

    def __init__(self, *args, by=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            services.reviewer_profile_check(
                profile=self.instance,
                by=self.by,
                affiliation_agency=cleaned.get("affiliation_agency"),
                declared_conflicts=cleaned.get("declared_conflicts", []),
                reason=cleaned.get("reason", ""),
            )
        except Refused as refused:
            raise forms.ValidationError(str(refused)) from refused
        return cleaned


class ReviewerInviteForm(ReviewerRowForm):
    """One reviewer, invited from the admin: the spreadsheet's columns, with the categories to tick."""

    field_order = ["name", "email", "affiliation", "categories", "conflicts", "language"]
    categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("categories reviewed"),
        queryset=Category.objects.order_by("position", "pk"),
        widget=forms.CheckboxSelectMultiple,
    )
    language = LanguageField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["affiliation"].help_text = _(
            "An agency's name, or the institution the reviewer works for."
        )
        self.fields["conflicts"].help_text = _("Agencies the reviewer must not review, separated by 、")

    def clean_categories(self):
        return list(self.cleaned_data["categories"])


class ReviewerProfileAdmin(OrganisersOnly, InvitationImportAdmin, admin.ModelAdmin):
    form = ReviewerProfileForm
    resource_classes = [ReviewerResource]
    invite_button_label = gettext_lazy("Invite reviewer")
    list_display = [
        "__str__",
        "username",
        "affiliation",
        "category_names",
        "max_load",
        "assigned",
        "submitted",
    ]
    list_filter = ["categories", "affiliation_agency__level"]
    search_fields = [
        "user__username",
        "user__first_name",
        "user__last_name",
        "institution",
        "affiliation_agency__name",
    ]
    filter_horizontal = ["categories", "declared_conflicts"]
    list_select_related = ["user", "affiliation_agency"]
    # Whose profile it is stays as invited: re-pointing it would hand one person's expertise, load and
    # conflicts to another.
    readonly_fields = ["account"]
    fields = ["account", *ReviewerProfileForm.Meta.fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        by = request.user

        class BoundProfileForm(form):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, by=by, **form_kwargs)

        return BoundProfileForm

    def save_model(self, request, obj, form, change):
        # The form has copied its values onto `obj`; the service compares them with the stored profile.
        data = form.cleaned_data
        services.reviewer_profile_update(
            profile=obj,
            by=request.user,
            affiliation_agency=data["affiliation_agency"],
            institution=data["institution"],
            categories=data["categories"],
            declared_conflicts=data["declared_conflicts"],
            max_load=data["max_load"],
            reason=data["reason"],
        )

    def save_related(self, request, form, formsets, change):
        pass  # the categories and conflicts were saved by the service, with the record of the change

    @admin.display(description=gettext_lazy("account"))
    def account(self, profile):
        url = reverse("admin:auth_user_change", args=[profile.user_id])
        return format_html('<a href="{}">{}</a>', url, profile.user.get_username())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("categories")
            .annotate(
                assigned_count=Count("user__assignments", distinct=True),
                submitted_count=Count(
                    "user__assignments",
                    filter=Q(user__assignments__review__status=ReviewStatus.SUBMITTED),
                    distinct=True,
                ),
            )
        )

    def add_view(self, request, form_url="", extra_context=None):
        return self.invite_view(
            request,
            form_class=ReviewerInviteForm,
            invite=lambda cleaned: ReviewerResource().invite(cleaned, by=request.user),
            title=_("Invite reviewer"),
        )

    @admin.display(description=gettext_lazy("user name"), ordering="user__username")
    def username(self, profile):
        return profile.user.username

    @admin.display(description=gettext_lazy("categories reviewed"))
    def category_names(self, profile):
        return "、".join(category.name for category in profile.categories.all())

    @admin.display(description=gettext_lazy("assigned"), ordering="assigned_count")
    def assigned(self, profile):
        return profile.assigned_count

    @admin.display(description=gettext_lazy("submitted"), ordering="submitted_count")
    def submitted(self, profile):
        return profile.submitted_count


# --- rubrics ---------------------------------------------------------------------------------------------


class RubricLineForm(forms.ModelForm):
    """A row of the rubric editor. A row added with the "add a row" button comes back without a position:
    it then takes its place on the page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False


RubricFormSetFactory = modelformset_factory(
    Criterion,
    form=RubricLineForm,
    fields=["position", "name", "description", "max_points"],
    extra=2,
    can_delete=True,
    widgets={"description": forms.Textarea(attrs={"rows": 2, "cols": 50})},
)


class CriterionAdmin(OrganisersOnly, admin.ModelAdmin):
    form = CriterionForm
    list_display = ["name", "round", "category", "position", "max_points"]
    list_filter = ["round", "category"]
    list_select_related = ["round", "category"]
    ordering = ["-round__year", "category__position", "position", "pk"]

    def _frozen(self, obj) -> bool:
        return obj is not None and obj.round.phase in RUBRIC_FROZEN_PHASES

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)

    def delete_queryset(self, request, queryset):
        frozen = queryset.filter(round__phase__in=RUBRIC_FROZEN_PHASES)
        if frozen.exists():
            self.message_user(request, _("The rubric is frozen once review opens."), messages.ERROR)
        queryset.exclude(round__phase__in=RUBRIC_FROZEN_PHASES).delete()

    def get_urls(self):
        return [
            path(
                "rubric/<int:round_id>/<int:category_id>/",
                self.admin_site.admin_view(self.rubric_view),
                name="reviews_criterion_rubric",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "rubrics": selectors.rubric_sums()}
        return super().changelist_view(request, extra_context)

    def rubric_view(self, request, round_id, category_id):
        """A round's rubric for one category, edited as a whole (services.rubric_save)."""
        if not self.has_view_permission(request):
            raise Http404
        round = get_object_or_404(Round, pk=round_id)
        category = get_object_or_404(Category, pk=category_id)
        frozen = round.phase in RUBRIC_FROZEN_PHASES
        queryset = Criterion.objects.filter(round=round, category=category).order_by("position", "pk")
        data = request.POST.copy() if request.method == "POST" else None
        adding = data is not None and "add_row" in data
        if adding:
            # "Add a row" saves nothing: the page comes back with what was typed and one empty row more.
            total = data.get("form-TOTAL_FORMS", "")
            data["form-TOTAL_FORMS"] = str(int(total) + 1 if total.isdecimal() else 0)
        formset = RubricFormSetFactory(data, queryset=queryset)
        refusal = None
        if data is not None and not adding and formset.is_valid():
            try:
                services.rubric_save(
                    round=round, category=category, lines=rubric_lines(formset), by=request.user
                )
            except Refused as refused:
                refusal = str(refused)
            else:
                self.message_user(request, _("The rubric was saved."), messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Rubric: %(round)s, %(category)s") % {"round": round.year, "category": category.name},
            "round": round,
            "category": category,
            "formset": formset,
            "refusal": refusal,
            "points_sum": rubric_points(formset),
            "frozen": frozen,
            "criteria": selectors.rubric(round_id=round.pk, category_id=category.pk) if frozen else [],
        }
        return TemplateResponse(request, "admin/reviews/rubric.html", context)


def rubric_points(formset) -> int:
    """The points of the rows as they stand on the page (typed or saved), without those marked for deletion:
    the running sum the editor shows beside the 100 it needs, with or without JavaScript."""
    total = 0
    for form in formset.forms:
        value = str(form["max_points"].value() or "").strip()
        if value.isdecimal() and not form["DELETE"].value():
            total += int(value)
    return total


def rubric_lines(formset) -> list[services.CriterionLine]:
    """The rubric as the formset's filled rows say it, without the rows marked for deletion."""
    return [
        services.CriterionLine(
            pk=form.instance.pk,
            position=index if form.cleaned_data.get("position") is None else form.cleaned_data["position"],
            name=form.cleaned_data["name"],
            description=form.cleaned_data.get("description", ""),
            max_points=form.cleaned_data["max_points"],
        )
        for index, form in enumerate(formset.forms)
        if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("name")
    ]


# --- assignments -----------------------------------------------------------------------------------------


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["reviewer", "case"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not {"reviewer", "case"} <= set(self.fields):
            return  # the view-only page of an assignment (never edited): its fields are shown read-only
        self.fields["reviewer"].queryset = (
            self.fields["reviewer"].queryset.filter(groups__name=REVIEWERS).distinct().order_by("username")
        )
        self.fields["case"].queryset = (
            self.fields["case"]
            .queryset.filter(status__in=services.ASSIGNABLE_STATUSES)
            .select_related("agency")
            .order_by("-round__year", "category__position", "pk")
        )
        self.fields["case"].label_from_instance = lambda case: f"{case.agency.display_name}：{case.title}"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reviewer") and cleaned.get("case"):
            try:
                services.assignment_check(reviewer=cleaned["reviewer"], case=cleaned["case"])
            except Refused as refused:
                raise forms.ValidationError(str(refused)) from refused
        return cleaned

    def validate_unique(self):
        # The service says so in words (assignment_check); the database constraint stays the backstop.
        pass


class ReviewStatusFilter(admin.SimpleListFilter):
    title = gettext_lazy("review")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("none", _("Not started")), *ReviewStatus.choices]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(review__isnull=True)
        if self.value() in ReviewStatus.values:
            return queryset.filter(review__status=self.value())
        return queryset


class AssignmentAdmin(OrganisersOnly, admin.ModelAdmin):
    form = AssignmentForm
    list_display = ["case", "agency", "category", "reviewer", "review_status", "created_at", "created_by"]
    list_filter = ["case__round", "case__category", ReviewStatusFilter, "reviewer"]
    search_fields = ["case__title", "reviewer__username", "reviewer__last_name", "case__agency__name"]
    list_select_related = ["case__agency", "case__category", "reviewer", "created_by", "review"]
    actions = ["remove_assignments"]

    def has_change_permission(self, request, obj=None):
        # An assignment is added or removed, never edited into another pair.
        return False

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not (
            obj is not None and Review.objects.filter(assignment=obj, status=ReviewStatus.SUBMITTED).exists()
        )

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=gettext_lazy("agency"), ordering="case__agency__pinyin")
    def agency(self, assignment):
        return assignment.case.agency.display_name

    @admin.display(description=gettext_lazy("category"), ordering="case__category__position")
    def category(self, assignment):
        return assignment.case.category

    @admin.display(description=gettext_lazy("review"))
    def review_status(self, assignment):
        review = getattr(assignment, "review", None)
        return review.get_status_display() if review else _("Not started")

    def save_model(self, request, obj, form, change):
        created = services.assignment_add(reviewer=obj.reviewer, case=obj.case, by=request.user)
        obj.pk, obj.created_at, obj.created_by = created.pk, created.created_at, created.created_by

    def delete_model(self, request, obj):
        services.assignment_remove(assignment=obj, by=request.user, reason=request.POST.get("reason", ""))

    def delete_view(self, request, object_id, extra_context=None):
        """One assignment's delete page is the action's confirmation page for it: the same warning about its
        draft, the same optional reason, the same service (Django's own page would list the review and its
        scores as objects the organiser may not delete)."""
        assignment = self.get_object(request, unquote(object_id))
        if assignment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_delete_permission(request, assignment):
            raise PermissionDenied
        chosen = Assignment.objects.filter(pk=assignment.pk)
        return self._remove(request, chosen, action=None) or HttpResponseRedirect(
            reverse("admin:reviews_assignment_changelist")
        )

    @admin.action(description=gettext_lazy("Remove the chosen assignments"), permissions=["delete"])
    def remove_assignments(self, request, queryset):
        return self._remove(request, queryset, action="remove_assignments")

    def _remove(self, request, chosen, *, action: str | None):
        """Shows what removing the chosen assignments throws away (the drafts; submitted reviews stay) and
        asks for an optional reason; removes them only once confirmed, and says how many went."""
        confirmed = "confirm" in request.POST
        form = AssignmentRemovalForm(request.POST if confirmed else None)
        if not (confirmed and form.is_valid()):
            assignments = list(
                chosen.select_related("case__agency", "reviewer", "review").order_by("case_id", "reviewer_id")
            )
            statuses = [getattr(assignment, "review", None) for assignment in assignments]
            return confirmation_page(
                self,
                request,
                assignments,
                template="admin/reviews/assignment/remove.html",
                form=form,
                title=_("Remove assignments"),
                action=action,
                drafts=sum(1 for review in statuses if review and review.status == ReviewStatus.DRAFT),
                submitted=sum(1 for review in statuses if review and review.status == ReviewStatus.SUBMITTED),
            )
        events = run_for_each(
            self,
            request,
            chosen.select_related("case", "reviewer"),
            lambda assignment: services.assignment_remove(
                assignment=assignment, by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if events:
            drafts = sum(event.draft_discarded for event in events)
            report = ngettext(
                "%(count)d assignment removed.", "%(count)d assignments removed.", len(events)
            ) % {"count": len(events)}
            if drafts:
                report += " " + ngettext(
                    "%(count)d draft review was discarded.", "%(count)d draft reviews were discarded.", drafts
                ) % {"count": drafts}
            self.message_user(request, report, messages.SUCCESS)
        return None


# --- reviews ---------------------------------------------------------------------------------------------


class ScoreInline(ReadOnly, admin.TabularInline):
    model = Score
    fields = ["criterion", "points"]
    readonly_fields = fields
    extra = 0
    can_delete = False


class ReviewEventInline(AuditTrailInline):
    model = ReviewEvent
    fields = ["action", "by", "at", "reason"]
    readonly_fields = fields


class ReviewRevisionInline(AuditTrailInline):
    """A submitted review's earlier versions: what it said before each revision after the discussion."""

    model = ReviewRevision
    fields = ["at", "by", "reason", "previous_total", "total", "previous_points", "previous_comment"]
    readonly_fields = fields


class BidAdmin(ReadOnly, admin.ModelAdmin):
    """What reviewers said of cases before assignment; the assignment weighs it, nobody edits it here."""

    list_display = ["case", "reviewer", "choice", "updated_at"]
    list_filter = ["choice", "case__round", "case__category"]
    search_fields = ["case__title", "reviewer__username"]
    list_select_related = ["case", "reviewer"]


class RecusalAdmin(ReadOnly, admin.ModelAdmin):
    """Every case a reviewer gave back, why, and who was proposed and took their place: the audit of
    reviews.services.recusal, read only (the progress board accepts the proposals)."""

    list_display = ["case", "reviewer", "kind", "reason", "at", "proposed", "replacement", "resolved_at"]
    list_filter = ["kind", "case__round", "case__category"]
    search_fields = ["case__title", "reviewer__username"]
    list_select_related = ["case", "reviewer", "proposed", "replacement"]


class AssignmentEventAdmin(ReadOnly, admin.ModelAdmin):
    """The assignments' history: who put which reviewer on which case, or took them off it, when and why,
    and whether a draft review was thrown away. Written only by reviews.services (assignment, recusal)."""

    list_display = ["at", "case", "reviewer", "action", "by", "reason", "draft_discarded"]
    list_filter = ["case__round", "action", ("reviewer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["case__title"]
    list_select_related = ["case", "reviewer", "by"]
    ordering = ["-at", "-pk"]


class ReviewAdmin(ReadOnly, admin.ModelAdmin):
    """Reviews are read here, never edited: the reviewer scores; an organiser may only reopen."""

    list_display = ["case", "agency", "category", "reviewer", "status", "total", "submitted_at"]
    list_filter = ["status", "assignment__case__round", "assignment__case__category"]
    search_fields = ["assignment__case__title", "assignment__reviewer__username"]
    list_select_related = ["assignment__case__agency", "assignment__case__category", "assignment__reviewer"]
    fields = ["assignment", "status", "total", "comment", "submitted_at", "updated_at"]
    readonly_fields = fields
    inlines = [ScoreInline, ReviewEventInline, ReviewRevisionInline]
    actions = ["reopen"]

    def lookup_allowed(self, lookup, value, request=None):
        # The ranking board links to the reviews of one case.
        return lookup in {"assignment__case__id__exact", "assignment__case"} or super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=gettext_lazy("case"), ordering="assignment__case__title")
    def case(self, review):
        return review.assignment.case.title

    @admin.display(description=gettext_lazy("agency"))
    def agency(self, review):
        return review.assignment.case.agency.display_name

    @admin.display(description=gettext_lazy("category"))
    def category(self, review):
        return review.assignment.case.category

    @admin.display(description=gettext_lazy("reviewer"), ordering="assignment__reviewer__username")
    def reviewer(self, review):
        return review.assignment.reviewer

    @admin.action(description=gettext_lazy("Reopen the chosen reviews (with a reason)"), permissions=["view"])
    def reopen(self, request, queryset):
        form = ReopenForm(request.POST if "confirm" in request.POST else None)
        if "confirm" in request.POST and form.is_valid():
            reopened = run_for_each(
                self,
                request,
                queryset,
                lambda review: services.review_reopen(
                    review=review, by=request.user, reason=form.cleaned_data["reason"]
                ),
            )
            if reopened:
                self.message_user(
                    request,
                    ngettext("%(count)d review reopened.", "%(count)d reviews reopened.", len(reopened))
                    % {"count": len(reopened)},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Reopen reviews"),
            "reviews": queryset.select_related("assignment__case", "assignment__reviewer"),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reviews/reopen.html", context)
