"""A reviewer gives a case back after assignment — declines it with a reason, or declares a conflict of interest
they found — and the assignment's own solver proposes who takes their place.

The organisers decide: the proposal waits on the review progress board for one click, unless the round says
to apply it at once (Round.replace_declined_automatically). Either way they are told by e-mail, in their
language, and a case that nobody can take is reported with the reason.
"""

from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from govcases import notifications
from govcases.exceptions import Refused
from govcases.models import Case, Round
from govcases.permissions import allowed

from .. import assignment_flow
from ..enums import ASSIGNABLE_STATUSES, ReviewStatus
from ..models import Assignment, AssignmentEvent, Recusal, Review
from ..permissions import SCORE
from .assignment import (
    _check_assignment_phase,
    _end_assignment,
    _notify_assigned,
    assignment_check,
    assignment_problem,
    case_shortage,
    organiser_required,
)


class ProposalOutdated(Refused):
    """The proposed reviewer may no longer take the case (a new conflict, a full load): a new proposal is made."""


def assignment_decline(
    *, assignment: Assignment, by: AbstractBaseUser, reason: str, conflict: bool = False
) -> Recusal:
    """The assigned reviewer gives the case back, with a reason: declined, or (`conflict`) a conflict of
    interest they discovered. Refused once their review is submitted or the round's review is over.

    The assignment and its draft go; the Recusal keeps the solver from ever giving them the case again and
    holds the replacement it proposes, which is assigned at once if the round says so.
    """
    reason = reason.strip()
    if not reason:
        raise Refused(_("Give a reason."))
    round_id = Assignment.objects.filter(pk=assignment.pk).values_list("case__round_id", flat=True).first()
    if round_id is None:
        raise Refused(_("This case is no longer assigned to you."))
    with transaction.atomic():
        # The round first, as every assignment change locks it: two changes never solve at the same time.
        round = Round.objects.select_for_update().get(pk=round_id)
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("case__agency", "case__category")
            .filter(pk=assignment.pk)
            .first()
        )
        if assignment is None:
            raise Refused(_("This case is no longer assigned to you."))
        if by is None or not allowed(by, SCORE, assignment):
            raise Refused(_("Only the assigned reviewer can give this case back."))
        _check_assignment_phase(round)
        if assignment.case.status not in ASSIGNABLE_STATUSES:
            raise Refused(_("This case is no longer in review."))
        if Review.objects.filter(assignment=assignment, status=ReviewStatus.SUBMITTED).exists():
            raise Refused(_("You submitted your review of this case: it can no longer be given back."))
        case = assignment.case
        # The Recusal below says why; the assignment's own trail says it ended, and whether a draft went.
        _end_assignment(assignment, action=AssignmentEvent.Action.GIVEN_BACK, by=by, reason=reason)
        recusal = Recusal.objects.create(
            case=case,
            reviewer=by,
            kind=Recusal.Kind.CONFLICT if conflict else Recusal.Kind.DECLINED,
            reason=reason,
            by=by,
        )
        _propose(recusal, round, case)
        if round.replace_declined_automatically and recusal.proposed_id:
            _replace(recusal, round, case, by=None)
        _notify_organisers(recusal, round, case)
    return recusal


def recusal_propose(*, recusal: Recusal, by: AbstractBaseUser | None) -> Recusal:
    """Asks the solver again who should take a case given back (after reviewers were added, say)."""
    organiser_required(by)
    with transaction.atomic():
        round, recusal, case = _locked(recusal)
        _propose(recusal, round, case)
    return recusal


def recusal_replace(*, recusal: Recusal, by: AbstractBaseUser | None) -> Assignment:
    """Accepts the proposal: the proposed reviewer is assigned the case and told by e-mail. If the proposal
    no longer holds, a new one is made and the refusal says so (ProposalOutdated)."""
    organiser_required(by)
    try:
        with transaction.atomic():
            round, recusal, case = _locked(recusal)
            if recusal.proposed_id is None:
                raise Refused(recusal.unfilled_reason or _("No replacement is proposed for this case."))
            try:
                assignment_check(reviewer=recusal.proposed, case=case)
            except Refused as refusal:
                raise ProposalOutdated(
                    _("The proposal no longer holds (%(why)s); a new one is shown.") % {"why": refusal}
                ) from refusal
            return _replace(recusal, round, case, by=by)
    except ProposalOutdated:
        recusal_propose(recusal=recusal, by=by)
        raise


def _locked(recusal: Recusal) -> tuple[Round, Recusal, Case]:
    round = Round.objects.select_for_update().get(cases__recusals=recusal)
    _check_assignment_phase(round)
    recusal = Recusal.objects.select_for_update(of=("self",)).select_related("proposed").get(pk=recusal.pk)
    if recusal.resolved_at is not None:
        raise Refused(_("This case was already given its replacement."))
    case = Case.objects.select_related("agency", "category").get(pk=recusal.case_id)
    return round, recusal, case


def _propose(recusal: Recusal, round: Round, case: Case) -> None:
    """Solves the round's assignment problem for this one case and one more reviewer: the same solver and the
    same costs as the whole assignment (conflicts, loads, bids), so the proposal is what it would choose; a
    case nobody can take keeps why (`Recusal.unfilled`)."""
    problem = assignment_problem(round=round)
    need = next((need for need in problem.needs if need.id == case.pk), None)
    recusal.proposed = None
    recusal.unfilled = None
    if need is None:
        # Someone took the case in the meantime: it has its reviewers.
        recusal.resolved_at = timezone.now()
    else:
        waiting = set(
            Recusal.objects.filter(case=case, resolved_at__isnull=True, proposed__isnull=False)
            .exclude(pk=recusal.pk)
            .values_list("proposed_id", flat=True)
        )
        # One reviewer for this recusal; another recusal's proposal for the same case is not offered twice.
        need = assignment_flow.CaseNeed(
            id=need.id,
            panel=need.panel,
            agency=need.agency,
            need=1,
            already=need.already | waiting,
            declined=need.declined,
        )
        solution = assignment_flow.solve([need], problem.reviewers, problem.preferences)
        if solution.pairs:
            recusal.proposed = get_user_model().objects.get(pk=solution.pairs[0][1])
        else:
            declined = problem.declined[case.pk] | waiting
            recusal.unfilled = case_shortage(case, round, problem.reviewers, declined).as_data()
    recusal.save(update_fields=["proposed", "unfilled", "resolved_at"])


def _replace(recusal: Recusal, round: Round, case: Case, *, by: AbstractBaseUser | None) -> Assignment:
    assignment = Assignment.objects.create(reviewer_id=recusal.proposed_id, case=case, created_by=by)
    AssignmentEvent.objects.create(
        case=case, reviewer_id=recusal.proposed_id, action=AssignmentEvent.Action.REPLACEMENT, by=by
    )
    recusal.replacement_id = recusal.proposed_id
    recusal.resolved_at = timezone.now()
    recusal.resolved_by = by
    recusal.save(update_fields=["replacement", "resolved_at", "resolved_by"])
    _notify_assigned(round, Counter({recusal.proposed_id: 1}))
    return assignment


def _notify_organisers(recusal: Recusal, round: Round, case: Case) -> None:
    """Tells every organiser, in their language, who gave which case back, why, and what happens next."""
    people = get_user_model().objects.in_bulk(
        [pk for pk in (recusal.reviewer_id, recusal.proposed_id, recusal.replacement_id) if pk]
    )

    def name(pk):
        return notifications.person_name(people[pk]) if pk else ""

    notifications.notify(
        "review_declined",
        notifications.organiser_recipients(),
        {
            "reviewer": name(recusal.reviewer_id),
            "case": case,
            "agency": case.agency.display_name,
            "round": round,
            "conflict": recusal.kind == Recusal.Kind.CONFLICT,
            "reason": recusal.reason,
            "proposed": name(recusal.proposed_id),
            "replacement": name(recusal.replacement_id),
            "unfilled": lazy(lambda: recusal.unfilled_reason, str)(),
            "url": settings.SITE_URL + reverse("admin:reviews_reviewprogress_change", args=[round.pk]),
        },
        round=round,
    )
