"""The reviewers' admin at /review/: their own queue, and one page per case with the rubric beside it.

A reviewer sees only their own assignments; never other reviewers, their scores or any aggregate. Everything
that changes a review goes through reviews.services, which refuses what the rules forbid.
"""

from django.contrib import admin, messages
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ChangeList
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import CaseAttachment, CaseImage, Category
from govcases.permissions import is_reviewer

from . import selectors, services
from .enums import ReviewStatus
from .forms import ReviewForm, criterion_field_name
from .models import Assignment, Score
from .sites import review_site


class ProgressFilter(admin.SimpleListFilter):
    title = gettext_lazy("progress")
    parameter_name = "progress"

    def lookups(self, request, model_admin):
        return [("pending", _("To do")), ("submitted", _("Submitted"))]

    def queryset(self, request, queryset):
        if self.value() == "pending":
            return queryset.exclude(review__status=ReviewStatus.SUBMITTED)
        if self.value() == "submitted":
            return queryset.filter(review__status=ReviewStatus.SUBMITTED)
        return queryset


class CategoryFilter(admin.SimpleListFilter):
    title = gettext_lazy("category")
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(category.pk, category.name) for category in Category.objects.order_by("position", "pk")]

    def queryset(self, request, queryset):
        if self.value():
            # A crafted category that is not a number matches nothing, rather than failing in the database.
            if not self.value().isdecimal():
                return queryset.none()
            return queryset.filter(case__category_id=self.value())
        return queryset


def own_review(assignment: Assignment):
    return getattr(assignment, "review", None)


# What a row of the queue shows; the cases' long texts would only cost time (a reviewer may have a thousand).
QUEUE_ROW_FIELDS = (
    "reviewer_id",
    "case__title",
    "case__agency__display_name",
    "case__category__name",
    "review__status",
    "review__total",
)


class QueueChangeList(ChangeList):
    """The queue as the admin's changelist, made cheaper in two ways that users do not see.

    It counts nothing twice: reviewer_progress (which the page shows anyway) has counted the whole queue, which
    is both the "total" beside a search and, when nothing narrows the queue, the paginator's count. And its
    rows are read here and written by a plain template loop rather than by the admin's per-cell machinery,
    which takes most of a page's time for a hundred rows; the markup (classes, links, preserved filters) is
    the admin's own.
    """

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).only(*QUEUE_ROW_FIELDS)

    def get_results(self, request):
        whole_queue = request.reviews_queue_progress.assigned
        narrowed = bool(self.query or self.get_filters_params())
        request.reviews_queue_count = None if narrowed else whole_queue
        super().get_results(request)
        self.full_result_count = whole_queue
        self.show_full_result_count = True

    def queue_headers(self):
        headers = list(result_headers(self))
        return {"headers": headers, "sorted": sum(1 for h in headers if h["sortable"] and h["sorted"])}

    def queue_rows(self) -> list[dict]:
        """The values of each row, as the admin would show them for list_display (queue_results.html)."""
        admin_ = self.model_admin
        change_prefix = reverse(f"{admin_.admin_site.name}:reviews_assignment_changelist")
        link_suffix = f"/change/?{self.preserved_filters}" if self.preserved_filters else "/change/"
        progress_labels = {}  # translated once per state, not once per row
        rows = []
        for assignment in self.result_list:
            case = assignment.case
            review = own_review(assignment)
            state = review.status if review is not None else None
            if state not in progress_labels:
                progress_labels[state] = admin_.progress(assignment)
            total = admin_.own_total(assignment)
            rows.append(
                {
                    "url": f"{change_prefix}{assignment.pk}{link_suffix}",
                    "title": case.title,
                    "category": case.category
                    if case.category_id is not None
                    else admin_.get_empty_value_display(),
                    "agency": case.agency.display_name,
                    "progress": progress_labels[state],
                    "total": number_format(total) if isinstance(total, int) else total,
                }
            )
        return rows


@admin.register(Assignment, site=review_site)
class ReviewQueueAdmin(admin.ModelAdmin):
    """The reviewer's queue (the changelist) and the scoring page (the change view)."""

    list_display = ["case_title", "case_category", "case_agency", "progress", "own_total"]
    list_display_links = ["case_title"]
    list_filter = [CategoryFilter, ProgressFilter]
    # A reviewer scores 30 to 60 cases in a round (the design's users): each sees their whole queue at once.
    list_per_page = 60
    # The order "save and next" follows (selectors.next_pending_assignment): category, then case.
    ordering = ["case__category__position", "case_id"]
    actions = None
    show_facets = admin.ShowFacets.NEVER
    # Not counted again: QueueChangeList takes the whole queue's count from reviewer_progress.
    show_full_result_count = False
    search_fields = ["case__title"]
    change_list_template = "reviews/review_site/queue.html"
    scoring_template = "reviews/review_site/review.html"

    # --- who may do what ---
    def has_module_permission(self, request):
        return is_reviewer(request.user)

    def has_view_permission(self, request, obj=None):
        return is_reviewer(request.user) and (obj is None or obj.reviewer_id == request.user.pk)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        known_count = getattr(request, "reviews_queue_count", None)
        if known_count is not None:
            paginator.count = known_count  # a cached property: set, it is not counted again
        return paginator

    def get_queryset(self, request):
        return Assignment.objects.filter(
            reviewer=request.user, case__status=CaseStatus.IN_REVIEW
        ).select_related("case__agency", "case__category", "review")

    def get_urls(self):
        # Only the queue and the scoring page: no add, delete or history pages for reviewers.
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist"),
            path(
                "<path:object_id>/change/",
                self.admin_site.admin_view(self.change_view),
                name=f"{prefix}_change",
            ),
        ]

    # --- the queue ---
    @admin.display(description=gettext_lazy("case"), ordering="case__title")
    def case_title(self, assignment):
        return assignment.case.title

    @admin.display(description=gettext_lazy("category"), ordering="case__category__position")
    def case_category(self, assignment):
        return assignment.case.category

    @admin.display(description=gettext_lazy("agency"), ordering="case__agency__pinyin")
    def case_agency(self, assignment):
        return assignment.case.agency.display_name

    @admin.display(description=gettext_lazy("progress"))
    def progress(self, assignment):
        review = own_review(assignment)
        if review is None:
            return _("To do")
        if review.status == ReviewStatus.SUBMITTED:
            return _("Submitted")
        return _("Draft")

    @admin.display(description=gettext_lazy("your total"))
    def own_total(self, assignment):
        review = own_review(assignment)
        return review.total if review is not None and review.total is not None else "–"

    def changelist_view(self, request, extra_context=None):
        # QueueChangeList counts the queue with this too.
        request.reviews_queue_progress = selectors.reviewer_progress(reviewer=request.user)
        extra_context = {**(extra_context or {}), "progress": request.reviews_queue_progress}
        return super().changelist_view(request, extra_context)

    # --- the scoring page ---
    def change_view(self, request, object_id, form_url="", extra_context=None):
        assignment = self.get_object(request, object_id)
        if assignment is None or not self.has_view_permission(request, assignment):
            raise Http404(_("No such assignment in your queue."))
        assignment = (
            Assignment.objects.select_related("case__agency", "case__category", "case__round", "review")
            .prefetch_related(
                Prefetch("case__images", queryset=CaseImage.objects.order_by("position", "pk")),
                Prefetch("case__attachments", queryset=CaseAttachment.objects.order_by("pk")),
            )
            .get(pk=assignment.pk)
        )
        review = own_review(assignment)
        criteria = services.rubric(round_id=assignment.case.round_id, category_id=assignment.case.category_id)
        scores = (
            {score.criterion_id: score.points for score in Score.objects.filter(review=review)}
            if review
            else {}
        )
        locked = review is not None and review.status == ReviewStatus.SUBMITTED
        scoring_open = assignment.case.round.phase == Phase.REVIEW
        if request.method == "POST":
            form = ReviewForm(request.POST, criteria=criteria)
            if form.is_valid():
                response = self._save(request, assignment, form)
                if response is not None:
                    return response
            else:
                messages.error(request, _("Please correct the errors below."))
        else:
            initial = {criterion_field_name(c): scores.get(c.pk) for c in criteria}
            initial["comment"] = review.comment if review else ""
            form = ReviewForm(initial=initial, criteria=criteria)
        context = {
            **self.admin_site.each_context(request),
            "title": assignment.case.title,
            "opts": self.opts,
            "assignment": assignment,
            "case": assignment.case,
            "review": review,
            "locked": locked,
            "scoring_open": scoring_open,
            "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria],
            "form": form,
            "progress": selectors.reviewer_progress(reviewer=request.user),
            "queue_url": reverse("review:reviews_assignment_changelist"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.scoring_template, context)

    def _save(self, request, assignment, form):
        """Saves the draft, submits it, or saves and moves on; returns a redirect, or None to show errors."""
        arguments = {
            "assignment": assignment,
            "by": request.user,
            "points": form.points(),
            "comment": form.cleaned_data["comment"],
        }
        try:
            if "_submit" in request.POST:
                # The draft is kept even when the submission is refused (a criterion left blank, say).
                services.review_save(**arguments)
                services.review_submit(**arguments)
                messages.success(request, _("Your review was submitted. Thank you."))
            else:
                services.review_save(**arguments)
                messages.success(request, _("Your draft was saved."))
        except Refused as refusal:
            form.add_error(None, str(refusal))
            messages.error(request, str(refusal))
            return None
        if "_submit" in request.POST or "_saveandnext" in request.POST:
            following = selectors.next_pending_assignment(reviewer=request.user, after=assignment)
            if following is not None:
                return HttpResponseRedirect(reverse("review:reviews_assignment_change", args=[following.pk]))
            return HttpResponseRedirect(reverse("review:reviews_assignment_changelist"))
        return HttpResponseRedirect(request.path)
