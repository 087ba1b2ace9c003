"""The organisers' side of a case's disagreement, reached from the ranking board: the case's reviews (with their
revisions) and discussion, where the organisers read and write, close it as settled and reopen it (each on a
confirmation page, with a reason), and one more reviewer for a flagged or short case, chosen from those who may
take it in the order the assignment's solver would prefer them."""

from django import forms
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Case
from govcases.notifications import person_name

from .. import discussion, services
from ..forms import CommentForm, DiscussionClosingForm


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
                "case/<int:case_id>/discussion/close/",
                self.view(self.close_discussion_view),
                name=self.url_name("close_discussion"),
            ),
            path(
                "case/<int:case_id>/discussion/reopen/",
                self.view(self.reopen_discussion_view),
                name=self.url_name("reopen_discussion"),
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
                "close_url": self.reverse("close_discussion", case.pk),
                "reopen_url": self.reverse("reopen_discussion", case.pk),
                "can_close": thread.writable and discussion.discussion_open(case),
                "history": [
                    (event, person_name(event.by) if event.by else "")
                    for event in discussion.discussion_history(case)
                ],
            },
        )

    def close_discussion_view(self, request, case_id: int):
        return self._closing_view(request, case_id, close=True)

    def reopen_discussion_view(self, request, case_id: int):
        return self._closing_view(request, case_id, close=False)

    def _closing_view(self, request, case_id: int, *, close: bool):
        """The confirmation page of closing (or reopening) a case's discussion: what it means, and why."""
        case = get_object_or_404(Case.objects.select_related("round", "agency", "category"), pk=case_id)
        discussion_url = self.reverse("discussion", case.pk)
        form = DiscussionClosingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            service = services.discussion_close if close else services.discussion_reopen
            try:
                service(case=case, by=request.user, reason=form.cleaned_data["reason"])
            except Refused as refusal:
                form.add_error(None, str(refusal))
            else:
                self.report(
                    request,
                    _("The discussion is closed; the case's reviewers are told by e-mail.")
                    if close
                    else _("The discussion is open again."),
                )
                return HttpResponseRedirect(discussion_url)
        closing = discussion.discussion_closing(case)
        title = _("Close the discussion of “%(case)s”") if close else _("Reopen the discussion of “%(case)s”")
        return self.page(
            request,
            case.round,
            "admin/reviews/discussion_closing.html",
            title % {"case": case.title},
            {
                "case": case,
                "close": close,
                "form": form,
                "closing": closing,
                "closing_by": person_name(closing.by) if closing and closing.by else "",
                "discussion_url": discussion_url,
                "board_url": self.reverse("change", case.round_id),
            },
        )

    def add_reviewer_view(self, request, case_id: int):
        case = get_object_or_404(Case.objects.select_related("round", "agency", "category"), pk=case_id)
        candidates = discussion.extra_reviewer_candidates(case=case)
        short, flagged = discussion.case_short_and_flagged(case)
        closed = discussion.discussion_closing(case) is not None
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
                "needs_more": short or (flagged and not closed),
                "closed_as_settled": flagged and not short and closed,
                "board_url": self.reverse("change", case.round_id),
            },
        )
