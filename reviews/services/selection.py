"""Selection under quotas and publication: the organisers' staged decisions, then one versioned snapshot.

Decisions (SelectionDecision) are staged: agencies and the public see nothing until `round_publish`.
Every decision is audited (SelectionEvent). Quotas hold under concurrent organisers because every writer
locks the category's Quota row before counting the seats taken.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Case, Category, Publication, Quota, Round
from govcases.permissions import RUN_ROUND, allowed
from govcases.services import publication_create
from govcases.services.publication import publication_phase_refusal

from ..models import SelectionDecision, SelectionEvent
from ..selectors import SELECTABLE, QuotaState, quota_states, ranking_rows
from .feedback import feedback_freeze


@dataclass
class CategoryProposal:
    category: Category
    seats: int
    staged: list[Case] = field(default_factory=list)
    # A tie straddling the cut line: the organiser chooses `open_seats` of these cases.
    tied: list[Case] = field(default_factory=list)
    open_seats: int = 0


@dataclass
class Proposal:
    round: Round
    categories: list[CategoryProposal]

    @property
    def ties(self) -> list[CategoryProposal]:
        return [category for category in self.categories if category.tied]


# Verification checks the provisional selection: a case that fails is replaced on the board meanwhile.
DECISION_PHASES = (Phase.SELECTION, Phase.VERIFICATION)


def _check_organiser_in_selection(
    round: Round, by: AbstractBaseUser | None, phases: tuple[str, ...] = DECISION_PHASES
) -> None:
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    if round.phase not in phases:
        raise Refused(_("Selection decisions can only be made while the round is in the selection phase."))


def _lock_quota(round: Round, category_id: int | None) -> Quota:
    quota = Quota.objects.select_for_update(of=("self",)).filter(round=round, category_id=category_id).first()
    if quota is None:
        raise Refused(_("This category has no quota in this round."))
    return quota


def _selected_ids(round: Round, category_id: int) -> set[int]:
    return set(
        SelectionDecision.objects.filter(
            case__round=round, case__category_id=category_id, case__status__in=SELECTABLE, selected=True
        ).values_list("case_id", flat=True)
    )


def _record(*, case: Case, selected: bool, by, reason: str) -> SelectionDecision:
    now = timezone.now()
    decision, _created = SelectionDecision.objects.update_or_create(
        case=case, defaults={"selected": selected, "reason": reason, "decided_by": by, "decided_at": now}
    )
    SelectionEvent.objects.create(case=case, selected=selected, reason=reason, by=by, at=now)
    return decision


def selection_propose(*, round: Round, by: AbstractBaseUser) -> Proposal:
    """Stages, per category, the top N by rank; stops before a tie that straddles the cut line.

    The proposal replaces the category's earlier staged decisions (each change is audited). Cases tied
    at the cut line are returned undecided for the organiser to choose from.
    """
    round = Round.objects.get(pk=round.pk)
    # Only in selection: in verification a proposal would stage again the cases that failed their checks.
    _check_organiser_in_selection(round, by, phases=(Phase.SELECTION,))
    proposals = []
    with transaction.atomic():
        quotas = list(
            # Every writer locks quotas in the same order (category position), so two never deadlock.
            Quota.objects.select_for_update(of=("self",))
            .filter(round=round)
            .select_related("category")
            .order_by("category__position", "category_id")
        )
        for quota in quotas:
            rows = [
                row
                for row in ranking_rows(round=round, category=quota.category)
                if row.rank is not None and row.case.status in SELECTABLE
            ]
            proposal = CategoryProposal(category=quota.category, seats=quota.seats)
            for row in rows:
                group = [other for other in rows if other.rank == row.rank]
                last_position = row.rank + len(group) - 1
                if last_position <= quota.seats:
                    proposal.staged.append(row.case)
                elif row.rank <= quota.seats:
                    proposal.tied.append(row.case)
                    proposal.open_seats = quota.seats - row.rank + 1
            staged_ids = {case.pk for case in proposal.staged}
            selected_before = _selected_ids(round, quota.category_id)
            reason = _("Proposed by rank.")
            for case in proposal.staged:
                if case.pk not in selected_before:
                    _record(case=case, selected=True, by=by, reason=reason)
            for case in Case.objects.filter(pk__in=selected_before - staged_ids):
                _record(case=case, selected=False, by=by, reason=reason)
            proposals.append(proposal)
    return Proposal(round=round, categories=proposals)


def selection_decide(
    *, case: Case, selected: bool, by: AbstractBaseUser, reason: str = ""
) -> SelectionDecision:
    """Stages one organiser's decision on one case, within the category's quota."""
    reason = reason.strip()
    with transaction.atomic():
        case = Case.objects.select_related("round", "category").get(pk=case.pk)
        _check_organiser_in_selection(case.round, by)
        if case.status not in SELECTABLE:
            raise Refused(
                _("A case that is “%(status)s” cannot be selected.")
                % {"status": CaseStatus(case.status).label}
            )
        # The lock serialises every organiser deciding in this category: the count below cannot go stale.
        quota = _lock_quota(case.round, case.category_id)
        if selected:
            taken = _selected_ids(case.round, case.category_id) - {case.pk}
            if len(taken) >= quota.seats:
                raise Refused(
                    _("The quota of “%(category)s” is full (%(seats)d cases): deselect a case first.")
                    % {"category": case.category.name, "seats": quota.seats}
                )
            if not reason and _passes_over_higher_ranked(case, taken):
                raise Refused(
                    _("A higher-ranked case of this category is not selected: give a reason for the choice.")
                )
        return _record(case=case, selected=selected, by=by, reason=reason)


def _passes_over_higher_ranked(case: Case, taken: set[int]) -> bool:
    rows = [
        row
        for row in ranking_rows(round=case.round, category=case.category)
        if row.rank is not None and row.case.status in SELECTABLE
    ]
    own_rank = next((row.rank for row in rows if row.case.pk == case.pk), None)
    return any(
        row.case.pk not in taken and row.case.pk != case.pk and (own_rank is None or row.rank < own_rank)
        for row in rows
    )


def round_publish(
    *, round: Round, by: AbstractBaseUser | None, reason: str = "", override: bool = False
) -> Publication:
    """Publishes the staged selection as a new version; never more cases than a quota allows.

    While something is outstanding (a quota not filled, govcases.steps) it is refused unless `override` with
    a reason, which the publication's audit records. `by=None` is the system (the `publish` command run
    without a user).
    """
    reason = reason.strip()
    round = Round.objects.get(pk=round.pk)
    if by is not None and not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    if round.phase != round.publication_phase:
        raise Refused(publication_phase_refusal(round))
    with transaction.atomic():
        list(
            Quota.objects.select_for_update(of=("self",))
            .filter(round=round)
            .order_by("category__position", "category_id")
        )
        over = [state for state in quota_states(round=round) if state.selected > state.seats]
        if over:
            raise Refused(
                _("More cases are selected than the quota allows: %(categories)s.")
                % {"categories": _describe(over)}
            )
        selected = list(
            Case.objects.filter(round=round, status__in=SELECTABLE, selection__selected=True).order_by("pk")
        )
        publication = publication_create(
            round=round, selected=selected, by=by, reason=reason, override=override
        )
        feedback_freeze(round=round)
        return publication


def _describe(states: list[QuotaState]) -> str:
    return ", ".join(f"{state.category.name} {state.selected}/{state.seats}" for state in states)
