"""The selection board of a round at /admin/: one column per category with its quota, cases in rank order,
staged decisions, the proposal by rank and publication. Every change goes through reviews.services."""

from django.contrib import messages
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import Phase
from govcases.models import Quota
from govcases.services import round_phase_set

from .. import discussion, selectors
from ..services import round_publish, selection_decide, selection_propose
from ..services.selection import DECISION_PHASES
from .base import RoundBoard


class SelectionBoard(RoundBoard):
    name = "selectionboard"
    verbose_name_plural = gettext_lazy("selection boards")
    template = "admin/reviews/selection_board.html"

    def title(self, round):
        return _("Selection board: %(round)s") % {"round": round}

    def board_context(self, request, round):
        complete = bool(request.GET.get("all"))
        # Rendered once per revision of the round, its quotas and whether every case is shown.
        seats = list(Quota.objects.filter(round=round).values_list("category_id", "seats"))
        return {
            "board_body": self.cached(
                request,
                round,
                [seats, complete],
                "admin/reviews/selection_board_body.html",
                lambda: {
                    "round": round,
                    "board": selectors.selection_board(round=round, complete=complete),
                    "closed_discussions": discussion.closed_discussions(round_id=round.pk),
                    "complete": complete,
                    "proposing": round.phase == Phase.SELECTION,
                    "deciding": round.phase in DECISION_PHASES,
                    "verifying": round.phase == Phase.VERIFICATION,
                    "publishing": round.phase == round.publication_phase,
                    "can_reopen": round.phase == Phase.PUBLISHED,
                    # After publication nothing is provisional any more: the board says so.
                    "final": round.phase in {Phase.PUBLISHED, Phase.ARCHIVED},
                },
            )
        }

    def act(self, request, round):
        self.attempt(request, lambda: self._decide(request, round))

    def _decide(self, request, round) -> None:
        """Does what the board's form asked; a refusal (Refused, or an invalid reason) is raised."""
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        # The reason bypasses a form; PostgreSQL cannot store a NUL character: refuse it, as forms do.
        ProhibitNullCharactersValidator()(reason)
        if action == "propose":
            proposal = selection_propose(round=round, by=request.user)
            self.report(request, _("Staged the top cases of each category by rank."), messages.SUCCESS)
            for tie in proposal.ties:
                self.report(
                    request,
                    _("%(category)s: %(cases)s are tied at the cut line; choose %(seats)d of them.")
                    % {
                        "category": tie.category.name,
                        "cases": "、".join(case.title for case in tie.tied),
                        "seats": tie.open_seats,
                    },
                    messages.WARNING,
                )
        elif action in {"select", "deselect"}:
            case = self.posted_case(request, round)
            selection_decide(case=case, selected=action == "select", by=request.user, reason=reason)
            self.report(request, _("Decision staged: %(case)s.") % {"case": case.title}, messages.SUCCESS)
        elif action == "publish":
            publication = round_publish(
                round=round,
                by=request.user,
                reason=reason,
                override=bool(request.POST.get("allow_fewer")),
            )
            self.report(
                request,
                _("Published as version %(version)d.") % {"version": publication.version},
                messages.SUCCESS,
            )
        elif action == "reopen":
            # A correction: back to selection; the next publication becomes version 2.
            round_phase_set(round=round, to=Phase.SELECTION, by=request.user, reason=reason)
            self.report(request, _("The round is open for a correction."), messages.SUCCESS)
        else:
            self.report(request, _("Unknown action."), messages.ERROR)
