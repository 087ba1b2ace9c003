"""The organisers' side of a case's disagreement, reached from the ranking board: the case's reviews (with their
revisions) and discussion, where the organisers read and write, and one more reviewer for a flagged or short
case, chosen from those who may take it in the order the assignment's solver would prefer them."""

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import Phase
from govcases.models import Case

from .. import discussion, services
from ..forms import CommentForm


class ReviewerChoiceForm(forms.Form):
    reviewer = forms.TypedChoiceField(
        label=gettext_lazy("Reviewer"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose a reviewer.")},
    )

    def __init__(self, *args, candidates: list[discussion.Candidate], **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.user.pk: candidate for candidate in candidates}
        self.fields["reviewer"].choices = [(candidate.user.pk, candidate.name) for candidate in candidates]


class CaseDisagreementViews:
    """Views a RoundBoard (the ranking board) adds with `disagreement_urls()`."""

    def disagreement_urls(self) -> list:
        return [
            path(
                "case/<int:case_id>/discussion/",
                self.view(self.discussion_view),
                name=self.url_name("discussion"),
            ),
            path(
                "case/<int:case_id>/add-reviewer/",
                self.view(self.add_reviewer_view),
                name=self.url_name("add_reviewer"),
            ),
        ]

    def discussion_view(self, request, case_id: int):
        case = get_object_or_404(Case.objects.select_related("round"), pk=case_id)
        form = CommentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            posted = self.attempt(
                request,
                lambda: services.discussion_comment_post(
                    case=case, by=request.user, body=form.cleaned_data["body"]
                ),
            )
            if posted is not None:
                self.report(request, _("Your comment was posted; the case's reviewers are told by e-mail."))
                return HttpResponseRedirect(request.path)
        thread = discussion.discussion(case=case, viewer=request.user)
        return self.page(
            request,
            case.round,
            "admin/reviews/discussion.html",
            _("Discussion: %(case)s") % {"case": case.title},
            {
                "thread": thread,
                "shown": thread.case,
                "comment_form": form,
                "board_url": self.reverse("change", case.round_id),
                "add_reviewer_url": self.reverse("add_reviewer", case.pk),
                "add_reviewer_open": case.round.phase == Phase.REVIEW,
            },
        )

    def add_reviewer_view(self, request, case_id: int):
        case = get_object_or_404(Case.objects.select_related("round", "agency", "category"), pk=case_id)
        candidates = discussion.extra_reviewer_candidates(case=case)
        form = ReviewerChoiceForm(request.POST or None, candidates=candidates)
        if request.method == "POST" and form.is_valid():
            candidate = form.candidates[form.cleaned_data["reviewer"]]
            added = self.attempt(
                request, lambda: services.reviewer_add(case=case, reviewer=candidate.user, by=request.user)
            )
            if added is not None:
                self.report(
                    request,
                    _("%(reviewer)s now reviews “%(case)s” and is told by e-mail.")
                    % {"reviewer": candidate.name, "case": case.title},
                )
                return HttpResponseRedirect(self.reverse("change", case.round_id))
        return self.page(
            request,
            case.round,
            "admin/reviews/add_reviewer.html",
            _("One more reviewer for “%(case)s”") % {"case": case.title},
            {
                "case": case,
                "form": form,
                "candidates": candidates,
                "needs_more": discussion.case_short_or_flagged(case),
                "board_url": self.reverse("change", case.round_id),
            },
        )
