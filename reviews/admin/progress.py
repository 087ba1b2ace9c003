"""The review progress of a round at /admin/: assigned, submitted and overdue reviews, with the buttons that
assign reviewers and remind them, open and close the reviewers' bidding, and accept the replacement the
solver proposes for a case a reviewer gave back."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from govcases.notifications import person_name

from .. import selectors, services
from ..models import Recusal
from .base import RoundBoard


class ReviewProgressBoard(RoundBoard):
    name = "reviewprogress"
    verbose_name_plural = gettext_lazy("review progress")
    template = "admin/reviews/progress.html"

    def title(self, round):
        return _("Review progress: %(round)s") % {"round": round}

    def board_context(self, request, round):
        return {
            "progress": selectors.review_progress(round=round),
            "recusals": selectors.recusals_open(round=round),
        }

    def act(self, request, round):
        """The board's forms: bidding opened or closed, a replacement accepted or asked for again."""
        action = request.POST.get("action")
        if action in ("open_bidding", "close_bidding"):
            opened = action == "open_bidding"
            if self.attempt(
                request, lambda: services.round_bidding_set(round=round, opened=opened, by=request.user)
            ):
                self.report(request, _("Bidding is open.") if opened else _("Bidding is closed."))
            return None
        recusal = Recusal.objects.filter(
            pk=request.POST.get("recusal") if str(request.POST.get("recusal", "")).isdecimal() else None,
            case__round=round,
        ).first()
        if action not in ("replace", "propose") or recusal is None:
            self.report(request, _("Nothing was done: the form was out of date. Try again."), messages.ERROR)
        elif action == "replace":
            assignment = self.attempt(
                request, lambda: services.recusal_replace(recusal=recusal, by=request.user)
            )
            if assignment is not None:
                self.report(
                    request,
                    _("%(reviewer)s now reviews “%(case)s”.")
                    % {"reviewer": person_name(assignment.reviewer), "case": assignment.case.title},
                )
        elif self.attempt(request, lambda: services.recusal_propose(recusal=recusal, by=request.user)):
            self.report(request, _("The solver was asked again: its answer is shown below."))
        return None

    def extra_urls(self):
        return [
            path(
                "<int:round_id>/reminders/", self.view(self.reminders_view), name=self.url_name("reminders")
            ),
            path("<int:round_id>/assign/", self.view(self.assign_view), name=self.url_name("assign")),
        ]

    def assign_view(self, request, round_id):
        """The board's button: reviewers for every case that still needs them (a GET just shows the board)."""
        round = self.get_round(round_id)
        if request.method == "POST":
            report = self.attempt(request, lambda: services.assignment_generate(round=round, by=request.user))
            if report is not None:
                self.report(
                    request,
                    ngettext(
                        "%(year)s: %(count)d assignment made.",
                        "%(year)s: %(count)d assignments made.",
                        report.created,
                    )
                    % {"year": round.year, "count": report.created},
                )
                for case, reason in report.unfilled:
                    self.report(
                        request, f"{case.title}（{case.agency.display_name}）: {reason}", messages.WARNING
                    )
        return HttpResponseRedirect(self.reverse("change", round.pk))

    def reminders_view(self, request, round_id):
        """A preview of who gets which reminder; sending is a POST from this page."""
        round = self.get_round(round_id)
        if request.method == "POST":
            sent = self.attempt(request, lambda: services.review_reminders_send(round=round, by=request.user))
            if sent is not None:
                self.report(
                    request,
                    ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent) % {"count": sent},
                )
            return HttpResponseRedirect(self.reverse("change", round.pk))
        return self.page(
            request,
            round,
            "admin/reviews/reminders.html",
            _("Reminders: %(round)s") % {"round": round},
            {"reminders": selectors.review_reminders(round=round)},
        )
