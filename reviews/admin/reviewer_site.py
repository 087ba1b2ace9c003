"""The reviewers' admin at /review/: their own queue, one page per case with the rubric beside it, and the
case's discussion.

A reviewer sees only their own assignments, and other reviews of a case (without their authors' names) only in
its discussion, after submitting their own (reviews.permissions.DISCUSS). In a blind round the pages show the
case as reviews.discussion.reviewer_case gives it. Everything that changes a review goes through
reviews.services, which refuses what the rules forbid.
"""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import CaseAttachment, CaseImage, Category
from govcases.permissions import allowed
from govcases.sites import LeanChangeList

from .. import discussion, selectors, services
from ..enums import ASSIGNABLE_STATUSES, ASSIGNMENT_PHASES, ReviewStatus
from ..forms import CommentForm, DeclineForm, ReviewForm, RevisionForm, criterion_field_name
from ..models import Assignment, Score
from ..permissions import DISCUSS, REVIEW, SCORE


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
    "case__agency__name",
    "case__agency__display_name",
    "case__category__name",
    "case__round__blind_review",
    "review__status",
    "review__total",
)


class QueuePaginator(Paginator):
    """Counts the queue and how much of it is submitted in one query: the page shows both."""

    @cached_property
    def progress(self) -> selectors.QueueProgress:
        return selectors.queue_progress(self.object_list)

    @cached_property
    def count(self) -> int:
        return self.progress.assigned


class QueueChangeList(LeanChangeList):
    """The queue, with the reviewer's progress through the whole of it (`progress`), which the page shows
    above the list and as the total beside a search or a filter. Its rows are written by LeanChangeList
    from the ModelAdmin's display functions, with the markup of Django's own result table.
    """

    def get_results(self, request):
        super().get_results(request)
        # Which of the page's cases have an open discussion to join (two queries for the page): one the
        # organisers closed is not linked here, its reviewers read it from the scoring page.
        submitted = [
            row.case_id
            for row in self.result_list
            if getattr(own_review(row), "status", None) == ReviewStatus.SUBMITTED
        ]
        discussed = discussion.open_discussions(submitted)
        for row in self.result_list:
            row.discussion_open = row.case_id in discussed
        narrowed = bool(self.query or self.get_filters_params())
        self.progress = (
            selectors.reviewer_progress(reviewer=request.user) if narrowed else self.paginator.progress
        )
        self.full_result_count = self.progress.assigned
        self.show_full_result_count = True


class ReviewQueueAdmin(admin.ModelAdmin):
    """The reviewer's queue (the changelist) and the scoring page (the change view)."""

    list_display = ["case_title", "case_category", "case_agency", "progress", "own_total", "discussion_link"]
    list_display_links = ["case_title"]
    list_filter = [CategoryFilter, ProgressFilter]
    # A reviewer scores 30 to 60 cases in a round (the design's users): each sees their whole queue at once.
    list_per_page = 60
    # The order "save and next" follows (selectors.next_pending_assignment): category, then case.
    ordering = ["case__category__position", "case_id"]
    actions = None
    show_facets = admin.ShowFacets.NEVER
    # Counted once with the progress (QueuePaginator, QueueChangeList).
    show_full_result_count = False
    paginator = QueuePaginator
    list_only = QUEUE_ROW_FIELDS
    search_fields = ["case__title"]
    change_list_template = "reviews/review_site/queue.html"
    scoring_template = "reviews/review_site/review.html"

    # --- who may do what ---
    def has_module_permission(self, request):
        return allowed(request.user, REVIEW)

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, REVIEW) if obj is None else allowed(request.user, SCORE, obj)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    def get_queryset(self, request):
        return selectors.reviewer_queue(reviewer=request.user).select_related(
            "case__agency", "case__category", "case__round", "review"
        )

    def get_urls(self):
        # The queue, the history, the scoring page, its autosave and giving a case back: no add or delete pages.
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", self.admin_site.admin_view(self.changelist_view), name=f"{prefix}_changelist"),
            path("history/", self.admin_site.admin_view(self.history_view), name=f"{prefix}_history"),
            path(
                "<path:object_id>/change/",
                self.admin_site.admin_view(self.change_view),
                name=f"{prefix}_change",
            ),
            path(
                "<path:object_id>/discussion/",
                self.admin_site.admin_view(self.discussion_view),
                name=f"{prefix}_discussion",
            ),
            path(
                "<path:object_id>/draft/",
                self.admin_site.admin_view(self.draft_view),
                name=f"{prefix}_draft",
            ),
            path(
                "<path:object_id>/decline/",
                self.admin_site.admin_view(self.decline_view),
                name=f"{prefix}_decline",
            ),
        ]

    def changelist_view(self, request, extra_context=None):
        # The bidding page is linked from the queue while a round's bidding is open.
        return super().changelist_view(
            request, {"bidding_round": selectors.bidding_round(), **(extra_context or {})}
        )

    def own_assignment(self, request, object_id) -> Assignment:
        """The reviewer's own assignment, or 404: another reviewer's does not exist, as far as they can tell."""
        assignment = self.get_object(request, object_id)
        if assignment is None or not self.has_view_permission(request, assignment):
            raise Http404(_("No such assignment in your queue."))
        return assignment

    # --- the queue ---
    @admin.display(description=gettext_lazy("case"), ordering="case__title")
    def case_title(self, assignment):
        return discussion.for_reviewers(assignment.case, assignment.case.title)

    @admin.display(description=gettext_lazy("category"), ordering="case__category__position")
    def case_category(self, assignment):
        return assignment.case.category

    @admin.display(description=gettext_lazy("agency"), ordering="case__agency__pinyin")
    def case_agency(self, assignment):
        return "—" if assignment.case.round.blind_review else assignment.case.agency.display_name

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

    @admin.display(description=gettext_lazy("discussion"), empty_value="")
    def discussion_link(self, assignment):
        url = self.discussion_url(assignment)
        return format_html('<a href="{}">{}</a>', url, _("Discussion")) if url else ""

    @staticmethod
    def discussion_url(assignment) -> str | None:
        if not getattr(assignment, "discussion_open", False):
            return None
        return reverse("review:reviews_assignment_discussion", args=[assignment.pk])

    def get_object(self, request, object_id, from_field=None):
        # The scoring page shows any of the reviewer's own assignments, of any round: once a round is over
        # the page is read-only, and the review stays theirs to read (never anyone else's).
        if not str(object_id).isdecimal():
            return None
        return selectors.reviewer_assignments(reviewer=request.user).filter(pk=object_id).first()

    # --- the reviewer's history ---
    def history_view(self, request):
        """Every review the reviewer wrote, of every round, read-only: scores, comment, date."""
        if not self.has_view_permission(request):
            raise Http404
        return TemplateResponse(
            request,
            "reviews/review_site/history.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Your reviews of every round"),
                "opts": self.opts,
                "rounds": self._blinded(selectors.reviewer_history(reviewer=request.user)),
                "queue_url": reverse("review:reviews_assignment_changelist"),
            },
        )

    @staticmethod
    def _blinded(rounds: list[selectors.HistoryRound]) -> list[selectors.HistoryRound]:
        """The history's lines with what their reviewer may read of each case: in a blind round no agency."""
        for item in rounds:
            for line in item.lines:
                case = line.assignment.case
                line.title = discussion.for_reviewers(case, case.title)
                line.agency = "" if case.round.blind_review else case.agency.display_name
                line.comment = discussion.for_reviewers(case, line.review.comment) if line.review else ""
        return rounds

    # --- the scoring page ---
    def change_view(self, request, object_id, form_url="", extra_context=None):
        assignment = self.own_assignment(request, object_id)
        assignment = (
            Assignment.objects.select_related("case__agency", "case__category", "case__round", "review")
            .prefetch_related(
                Prefetch("case__images", queryset=CaseImage.objects.order_by("position", "pk")),
                Prefetch("case__attachments", queryset=CaseAttachment.objects.order_by("pk")),
            )
            .get(pk=assignment.pk)
        )
        review = own_review(assignment)
        criteria = selectors.rubric(
            round_id=assignment.case.round_id, category_id=assignment.case.category_id
        )
        scores = (
            {score.criterion_id: score.points for score in Score.objects.filter(review=review)}
            if review
            else {}
        )
        locked = review is not None and review.status == ReviewStatus.SUBMITTED
        scoring_open = (
            assignment.case.round.phase == Phase.REVIEW and assignment.case.status == CaseStatus.IN_REVIEW
        )
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
        shown = discussion.reviewer_case(assignment.case)
        context = {
            **self.admin_site.each_context(request),
            "title": shown.title,
            "opts": self.opts,
            "assignment": assignment,
            "shown": shown,
            "shown_comment": shown.redact(review.comment) if review else "",
            "discussion_url": (
                reverse("review:reviews_assignment_discussion", args=[assignment.pk])
                if locked and discussion.discussion_readable(assignment.case)
                else None
            ),
            "review": review,
            "locked": locked,
            "scoring_open": scoring_open,
            "scores": [(criterion, scores.get(criterion.pk)) for criterion in criteria],
            # The sum of the points saved so far; the page's script keeps it up to date while typing.
            "draft_total": sum(points for points in scores.values() if points is not None),
            "can_give_back": not locked
            and assignment.case.round.phase in ASSIGNMENT_PHASES
            and assignment.case.status in ASSIGNABLE_STATUSES,
            "form": form,
            "progress": selectors.reviewer_progress(reviewer=request.user),
            "queue_url": reverse("review:reviews_assignment_changelist"),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.scoring_template, context)

    def _confirm_submission(self, request, assignment, form):
        """What submitting does, with the scores as they will be locked; its form posts them again."""
        points = form.points()
        case_title = discussion.for_reviewers(assignment.case, assignment.case.title)
        return TemplateResponse(
            request,
            "reviews/review_site/confirm_submit.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Submit your review of “%(case)s”?") % {"case": case_title},
                "opts": self.opts,
                "case_title": case_title,
                "form": form,
                "scores": [(criterion, points[criterion.pk]) for criterion in form.criteria],
                "total": sum(points.values()),
                "queue_url": reverse("review:reviews_assignment_changelist"),
            },
        )

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
                if not request.POST.get("_confirmed"):
                    services.review_check_submittable(assignment=assignment, points=arguments["points"])
                    return self._confirm_submission(request, assignment, form)
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

    # --- the discussion ---
    def discussion_view(self, request, object_id):
        """The case's other reviews and its discussion, once the reviewer's own review is submitted: a comment
        posted, or their review revised."""
        assignment = self.get_object(request, object_id)
        if assignment is None or not self.has_view_permission(request, assignment):
            raise Http404(_("No such assignment in your queue."))
        scoring_url = reverse("review:reviews_assignment_change", args=[assignment.pk])
        if not allowed(request.user, DISCUSS, assignment.case):
            context = {
                **self.admin_site.each_context(request),
                "title": _("Not yet"),
                "scoring_url": scoring_url,
            }
            return TemplateResponse(
                request, "reviews/review_site/discussion_denied.html", context, status=403
            )
        if not discussion.discussion_readable(assignment.case):
            raise Http404(_("This case has no discussion: its reviewers agree."))
        thread = discussion.discussion(case=assignment.case, viewer=request.user)
        comment_form = CommentForm(request.POST if "_comment" in request.POST else None)
        revision_form = self._revision_form(request, thread)
        if request.method == "POST":
            done = self._discuss(request, assignment, thread, comment_form, revision_form)
            if done:
                return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Discussion: %(case)s") % {"case": thread.case.title},
            "opts": self.opts,
            "assignment": assignment,
            "shown": thread.case,
            "thread": thread,
            "comment_form": comment_form,
            "revision_form": revision_form,
            "queue_url": reverse("review:reviews_assignment_changelist"),
            "scoring_url": scoring_url,
        }
        return TemplateResponse(request, "reviews/review_site/discussion.html", context)

    @staticmethod
    def _revision_form(request, thread) -> RevisionForm:
        if "_revise" in request.POST:
            return RevisionForm(request.POST, criteria=thread.criteria)
        review = thread.own_review
        scores = {score.criterion_id: score.points for score in review.scores.all()}
        initial = {criterion_field_name(c): scores.get(c.pk) for c in thread.criteria}
        # In a blind round even the reviewer's own words come back with the agency's name blacked out.
        initial["comment"] = thread.case.redact(review.comment)
        return RevisionForm(initial=initial, criteria=thread.criteria)

    def _discuss(self, request, assignment, thread, comment_form, revision_form) -> bool:
        """Posts the comment or the revision the form holds; True once done, False to show the errors."""
        try:
            if "_comment" in request.POST and comment_form.is_valid():
                services.discussion_comment_post(
                    case=assignment.case, by=request.user, body=comment_form.cleaned_data["body"]
                )
                messages.success(request, _("Your comment was posted; the others are told by e-mail."))
                return True
            if "_revise" in request.POST and revision_form.is_valid():
                services.review_revise(
                    review=thread.own_review,
                    by=request.user,
                    points=revision_form.points(),
                    comment=revision_form.cleaned_data["comment"],
                    reason=revision_form.cleaned_data["reason"],
                )
                messages.success(request, _("Your review was revised; the earlier version is kept."))
                return True
        except Refused as refusal:
            form = comment_form if "_comment" in request.POST else revision_form
            form.add_error(None, str(refusal))
        messages.error(request, _("Please correct the errors below."))
        return False

    # --- autosave ---
    def draft_view(self, request, object_id):
        """The scoring page's autosave: the form's fields as posted, saved as a draft by the same service as
        "Save draft" (the same rules: the assigned reviewer, the review phase, a review not yet submitted).
        Answers JSON: the time saved and the total, or why nothing was saved."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        assignment = self.own_assignment(request, object_id)
        assignment = Assignment.objects.select_related("case").get(pk=assignment.pk)
        criteria = selectors.rubric(
            round_id=assignment.case.round_id, category_id=assignment.case.category_id
        )
        form = ReviewForm(request.POST, criteria=criteria)
        if not form.is_valid():
            return JsonResponse(
                {
                    "message": _("Not saved: please correct the errors shown when you save the draft."),
                    "errors": {
                        name: [str(error) for error in errors] for name, errors in form.errors.items()
                    },
                },
                status=400,
            )
        try:
            review = services.review_save(
                assignment=assignment,
                by=request.user,
                points=form.points(),
                comment=form.cleaned_data["comment"],
            )
        except Refused as refusal:
            return JsonResponse({"message": _("Not saved: %(why)s") % {"why": refusal}}, status=409)
        saved_at = formats.time_format(timezone.localtime(review.updated_at), "H:i")
        return JsonResponse(
            {
                "message": _("Draft saved at %(time)s") % {"time": saved_at},
                "saved_at": saved_at,
                "total": sum(points for points in form.points().values() if points is not None),
            }
        )

    # --- giving a case back ---
    def decline_view(self, request, object_id):
        """A confirmation page: the reviewer declines the case with a reason, or declares a conflict of
        interest they found; the case leaves their queue and the organisers are told."""
        assignment = self.own_assignment(request, object_id)
        assignment = Assignment.objects.select_related(
            "case__agency", "case__category", "case__round", "review"
        ).get(pk=assignment.pk)
        review = own_review(assignment)
        submitted = review is not None and review.status == ReviewStatus.SUBMITTED
        form = DeclineForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_decline(
                    assignment=assignment,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    conflict=form.cleaned_data["kind"] == DeclineForm.CONFLICT,
                )
            except Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                messages.success(
                    request,
                    _("“%(case)s” left your queue; the organisers were told.")
                    % {"case": assignment.case.title},
                )
                return HttpResponseRedirect(reverse("review:reviews_assignment_changelist"))
        return TemplateResponse(
            request,
            "reviews/review_site/decline.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Give back “%(case)s”") % {"case": assignment.case.title},
                "opts": self.opts,
                "assignment": assignment,
                "case": assignment.case,
                "submitted": submitted,
                "assignments_open": assignment.case.round.phase in ASSIGNMENT_PHASES
                and assignment.case.status in ASSIGNABLE_STATUSES,
                "form": form,
                "queue_url": reverse("review:reviews_assignment_changelist"),
            },
        )
