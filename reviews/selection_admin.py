"""The selection board in the organisers' admin: one column per category with its quota, cases in rank order,
staged decisions, the proposal by rank and publication. Every change goes through reviews.selection."""

from collections import Counter
from dataclasses import dataclass

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Case, Quota
from govcases.services import round_phase_set

from .board_admin import RoundBoardAdmin
from .models import SelectionBoard, SelectionDecision, SelectionEvent
from .selectors import RankingRow, board_key, board_ranking
from .services import QuotaState, quota_states, round_publish, selection_decide, selection_propose

HISTORY_LENGTH = 50


@dataclass
class BoardRow:
    row: RankingRow
    selected: bool
    reason: str
    at_cut: bool


@dataclass
class BoardColumn:
    quota: QuotaState
    rows: list[BoardRow]
    hidden: int = 0  # ranked lower than the rows shown


# Below the cut line an organiser looks at the next cases (to pass over a case, or to fill a seat that a
# withdrawal frees). A national round ranks thousands of cases per category: the rest are shown on demand.
ROWS_BELOW_THE_CUT = 10


def _columns(round, *, complete: bool) -> list[BoardColumn]:
    decisions = {
        decision.case_id: decision
        for decision in SelectionDecision.objects.filter(case__round=round).only(
            "case_id", "selected", "reason"
        )
    }
    rows = board_ranking(board_key(round))
    columns = []
    for quota in quota_states(round=round):
        category_rows = [row for row in rows if row.category.pk == quota.category.pk]
        tie_sizes = Counter(row.rank for row in category_rows)
        board_rows = [
            BoardRow(
                row=row,
                selected=bool(decisions.get(row.case.pk) and decisions[row.case.pk].selected),
                reason=decisions[row.case.pk].reason if row.case.pk in decisions else "",
                at_cut=_straddles(row, tie_sizes, quota.seats),
            )
            for row in category_rows
        ]
        shown = len(board_rows) if complete else _shown(board_rows, quota.seats)
        columns.append(
            BoardColumn(
                quota=quota,
                # Selected cases are always shown, however low they rank.
                rows=board_rows[:shown] + [item for item in board_rows[shown:] if item.selected],
                hidden=sum(1 for item in board_rows[shown:] if not item.selected),
            )
        )
    return columns


def _shown(board_rows: list[BoardRow], seats: int) -> int:
    """How many of a category's rows to show: the quota, the next few, and never half of a tie."""
    shown = min(len(board_rows), seats + ROWS_BELOW_THE_CUT)
    last_rank = board_rows[shown - 1].row.rank if shown else None
    while shown < len(board_rows) and last_rank is not None and board_rows[shown].row.rank == last_rank:
        shown += 1
    return shown


def _straddles(row: RankingRow, tie_sizes: Counter, seats: int) -> bool:
    """Whether the row belongs to a tie that crosses the quota's cut line."""
    if row.rank is None or not row.tied:
        return False
    return row.rank <= seats < row.rank + tie_sizes[row.rank] - 1


@admin.register(SelectionBoard)
class SelectionBoardAdmin(RoundBoardAdmin):
    list_display = ["year", "title", "phase", "board_link"]
    actions = ["publish_rounds"]

    @admin.action(
        description=gettext_lazy("Publish the selection of the chosen rounds"), permissions=["change"]
    )
    def publish_rounds(self, request, queryset):
        for round in queryset:
            try:
                publication = round_publish(round=round, by=request.user)
            except Refused as refused:
                self.message_user(request, f"{round.year}: {refused}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(year)s published as version %(version)d.")
                    % {"year": round.year, "version": publication.version},
                    messages.SUCCESS,
                )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_round(request, object_id)
        if request.method == "POST":
            self._act(request, round)
            return HttpResponseRedirect(request.get_full_path())
        complete = bool(request.GET.get("all"))
        return self.board_response(
            request,
            round,
            title=_("Selection board: %(round)s") % {"round": round},
            template="admin/reviews/selectionboard/board.html",
            key=[list(Quota.objects.filter(round=round).values_list("category_id", "seats")), complete],
            render=lambda: render_to_string(
                "admin/reviews/selectionboard/board_body.html",
                {
                    "round": round,
                    "columns": _columns(round, complete=complete),
                    "complete": complete,
                    "in_selection": round.phase == Phase.SELECTION,
                    "can_reopen": round.phase == Phase.PUBLISHED,
                    "publications": list(round.publications.order_by("-version")),
                    "events": list(
                        SelectionEvent.objects.filter(case__round=round)
                        .select_related("case", "by")
                        .order_by("-at", "-pk")[:HISTORY_LENGTH]
                    ),
                },
                request,
            ),
        )

    def _act(self, request, round) -> None:
        action = request.POST.get("action")
        reason = request.POST.get("reason", "")
        try:
            # The reason bypasses a form; PostgreSQL cannot store a NUL character: refuse it, as forms do.
            ProhibitNullCharactersValidator()(reason)
            if action == "propose":
                proposal = selection_propose(round=round, by=request.user)
                self.message_user(
                    request, _("Staged the top cases of each category by rank."), messages.SUCCESS
                )
                for tie in proposal.ties:
                    self.message_user(
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
                case_id = request.POST.get("case", "")
                case = Case.objects.filter(round=round, pk=case_id).first() if case_id.isdecimal() else None
                if case is None:
                    raise Refused(_("No such case in this round."))
                selection_decide(case=case, selected=action == "select", by=request.user, reason=reason)
                self.message_user(
                    request, _("Decision staged: %(case)s.") % {"case": case.title}, messages.SUCCESS
                )
            elif action == "publish":
                publication = round_publish(
                    round=round,
                    by=request.user,
                    reason=reason,
                    override=bool(request.POST.get("allow_fewer")),
                )
                self.message_user(
                    request,
                    _("Published as version %(version)d.") % {"version": publication.version},
                    messages.SUCCESS,
                )
            elif action == "reopen":
                # A correction: back to selection; the next publication becomes version 2.
                round_phase_set(round=round, to=Phase.SELECTION, by=request.user, reason=reason)
                self.message_user(request, _("The round is open for a correction."), messages.SUCCESS)
            else:
                self.message_user(request, _("Unknown action."), messages.ERROR)
        except (Refused, ValidationError) as refused:
            message = refused.messages[0] if isinstance(refused, ValidationError) else str(refused)
            self.message_user(request, message, messages.ERROR)
