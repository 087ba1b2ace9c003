"""Assignment of reviewers to cases: conflicts of interest, the generated assignment and manual changes."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from govcases import notifications, outbox
from govcases.enums import Level, Phase
from govcases.exceptions import Refused
from govcases.models import Agency, Case, Round
from govcases.permissions import RUN_ROUND, allowed

from .. import assignment_flow
from ..conflicts import AgencyIndex
from ..enums import ASSIGNABLE_STATUSES, ASSIGNMENT_PHASES, BidChoice, ReviewStatus
from ..models import Assignment, AssignmentEvent, Bid, Recusal, Review, ReviewerProfile
from ..permissions import REVIEW
from ..shortage import Shortage

# --- conflicts of interest -------------------------------------------------------------------------------


def reviewer_conflicts(profile: ReviewerProfile, *, index: AgencyIndex | None = None) -> set[int]:
    """The ids of the agencies whose cases this reviewer must never score.

    Their affiliated agency, its parent and children, every agency of the same province when the
    affiliation is a local government (any level but ministry), and the agencies they declared.
    """
    index = index or AgencyIndex.load()
    declared = set(profile.declared_conflicts.values_list("pk", flat=True))
    return index.conflicts(affiliation_id=profile.affiliation_agency_id, declared=declared)


def conflict_reason(profile: ReviewerProfile, agency: Agency) -> str | None:
    """Why this reviewer may not score a case of this agency, in words, or None if they may."""
    if profile.declared_conflicts.filter(pk=agency.pk).exists():
        return _("%(reviewer)s declared a conflict of interest with %(agency)s.") % {
            "reviewer": profile,
            "agency": agency,
        }
    affiliation = profile.affiliation_agency
    if affiliation is None:
        return None
    words = {"reviewer": profile, "agency": agency, "affiliation": affiliation}
    if agency.pk == affiliation.pk:
        return _("%(reviewer)s works for %(agency)s.") % words
    if agency.pk == affiliation.parent_id or agency.parent_id == affiliation.pk:
        return _("%(agency)s is the parent or a child of %(reviewer)s's agency, %(affiliation)s.") % words
    if (
        affiliation.level != Level.MINISTRY
        and affiliation.province
        and affiliation.province == agency.province
    ):
        return _("%(agency)s is in the same province as %(reviewer)s's agency, %(affiliation)s.") % words
    return None


# --- assignment ------------------------------------------------------------------------------------------


@dataclass
class AssignmentReport:
    created: int = 0
    unfilled: list[tuple[Case, str]] = field(default_factory=list)  # read at once, in the active language


def organiser_required(by: AbstractBaseUser | None) -> None:
    if by is not None and not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))


def _check_assignment_phase(round: Round) -> None:
    if round.phase not in ASSIGNMENT_PHASES:
        raise Refused(
            _("Assignments cannot be changed while the round is in the “%(phase)s” phase.")
            % {"phase": Phase(round.phase).label}
        )


@dataclass
class AssignmentProblem:
    """A round's assignment as the solver sees it, with the cases and who is on each now."""

    cases: list[Case]  # every assignable case of the round, by id
    needs: list[assignment_flow.CaseNeed]  # those with a category that lack reviewers
    reviewers: list[assignment_flow.ReviewerLoad]
    assigned: dict[int, set[int]]  # case id → its reviewers' ids
    preferences: dict[tuple[int, int], int]  # (case, reviewer) → cost, from the reviewers' bids
    declined: dict[int, set[int]]  # case id → the reviewers who bid "conflict" on it or gave it back


def assignment_problem(*, round: Round) -> AssignmentProblem:
    """Reads what the solver needs in a constant number of queries: the round's assignable cases, the active
    reviewers with their panels, conflicts and loads in the round, the existing assignments and the bids."""
    cases = list(
        round.cases.filter(status__in=ASSIGNABLE_STATUSES).select_related("agency", "category").order_by("pk")
    )
    index = AgencyIndex.load()
    profiles = list(
        ReviewerProfile.objects.filter(user__is_active=True, user__groups__name="reviewers")
        .distinct()
        .prefetch_related("categories", "declared_conflicts")
        .order_by("user_id")
    )
    assigned: dict[int, set[int]] = defaultdict(set)
    loads: dict[int, int] = defaultdict(int)
    for case_id, reviewer_id in Assignment.objects.filter(case__round=round).values_list(
        "case_id", "reviewer_id"
    ):
        assigned[case_id].add(reviewer_id)
        loads[reviewer_id] += 1
    preferences: dict[tuple[int, int], int] = {}
    declined: dict[int, set[int]] = defaultdict(set)
    for case_id, reviewer_id, choice in Bid.objects.filter(
        case__round=round, case__status__in=ASSIGNABLE_STATUSES
    ).values_list("case_id", "reviewer_id", "choice"):
        if choice == BidChoice.CONFLICT:
            declined[case_id].add(reviewer_id)
        else:
            preferences[case_id, reviewer_id] = assignment_flow.PREFERENCE_COSTS[choice]
    # A reviewer who gave a case back (declined it, or found a conflict) is never given it again.
    for case_id, reviewer_id in Recusal.objects.filter(case__round=round).values_list(
        "case_id", "reviewer_id"
    ):
        declined[case_id].add(reviewer_id)
    reviewers = [
        assignment_flow.ReviewerLoad(
            id=profile.user_id,
            panels=frozenset(category.pk for category in profile.categories.all()),
            conflicts=frozenset(
                index.conflicts(
                    affiliation_id=profile.affiliation_agency_id,
                    declared={agency.pk for agency in profile.declared_conflicts.all()},
                )
            ),
            load=loads[profile.user_id],
            max_load=profile.max_load,
        )
        for profile in profiles
    ]
    needs = [
        assignment_flow.CaseNeed(
            id=case.pk,
            panel=case.category_id,
            agency=case.agency_id,
            need=round.reviews_per_case - len(assigned[case.pk]),
            already=frozenset(assigned[case.pk]),
            declined=frozenset(declined[case.pk]),
        )
        for case in cases
        if case.category_id and len(assigned[case.pk]) < round.reviews_per_case
    ]
    return AssignmentProblem(
        cases=cases,
        needs=needs,
        reviewers=reviewers,
        assigned=assigned,
        preferences=preferences,
        declined=declined,
    )


def assignment_generate(*, round: Round, by: AbstractBaseUser | None = None) -> AssignmentReport:
    """Gives every assignable case of the round its number of reviewers, from its category's panel.

    Keeps every existing assignment (they count towards the reviewers' loads) and fills only the gaps,
    never with a conflicted reviewer or beyond a reviewer's maximum load. The new assignments are an optimal
    solution of a minimum-cost flow (reviews.assignment_flow): first as few reviews missing as possible, then
    loads as even as the panels allow, then the reviewers' preferences. Deterministic.
    """
    organiser_required(by)
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        _check_assignment_phase(round)
        problem = assignment_problem(round=round)
        solution = assignment_flow.solve(problem.needs, problem.reviewers, problem.preferences)
        now = timezone.now()
        Assignment.objects.bulk_create(
            Assignment(case_id=case_id, reviewer_id=reviewer_id, created_by=by, created_at=now)
            for case_id, reviewer_id in solution.pairs
        )
        if solution.pairs:
            cases = {case.pk: case for case in problem.cases}
            # One insert, and the round's revision bumped once (AuditQuerySet.bulk_create), however many.
            AssignmentEvent.objects.bulk_create(
                AssignmentEvent(
                    case=cases[case_id],
                    reviewer_id=reviewer_id,
                    action=AssignmentEvent.Action.GENERATED,
                    by=by,
                    at=now,
                )
                for case_id, reviewer_id in solution.pairs
            )
        for case_id, reviewer_id in solution.pairs:
            problem.assigned[case_id].add(reviewer_id)
        report = AssignmentReport(created=len(solution.pairs))
        _notify_assigned(round, Counter(reviewer for _case, reviewer in solution.pairs))
        for case in problem.cases:
            if len(problem.assigned[case.pk]) < round.reviews_per_case:
                shortage = case_shortage(case, round, problem.reviewers, problem.declined[case.pk])
                report.unfilled.append((case, shortage.explain(case.category)))
    return report


def _notify_assigned(round: Round, counts: Counter) -> None:
    """Tells each reviewer how many cases they were just given, by when, and where to score them."""
    recipients = notifications.user_recipients(list(counts))
    users = get_user_model().objects.in_bulk(list(recipients))
    composer = notifications.Composer()
    url = settings.SITE_URL + reverse("review:index")
    outbox.outbox_queue(
        messages=[
            composer.message(
                "review_assigned",
                recipient,
                {
                    "reviewer": notifications.person_name(users[pk]),
                    "round": round,
                    "count": counts[pk],
                    "deadline": round.review_deadline,
                    "url": url,
                },
                round=round,
            )
            for pk, recipient in sorted(recipients.items())
        ]
    )


def case_shortage(
    case: Case, round: Round, reviewers: list[assignment_flow.ReviewerLoad], declined: set[int]
) -> Shortage:
    """Why a case is short of reviewers. The flow is optimal, so every reviewer who may score it and is not
    on it yet has no room left: otherwise the solver would have given them the case."""
    if not case.category_id:
        return Shortage(Shortage.NO_CATEGORY)
    panel = [reviewer for reviewer in reviewers if case.category_id in reviewer.panels]
    if len(panel) < round.reviews_per_case:
        return Shortage(Shortage.SMALL_PANEL, count=len(panel), of=round.reviews_per_case)
    free = [
        reviewer
        for reviewer in panel
        if case.agency_id not in reviewer.conflicts and reviewer.id not in declined
    ]
    if len(free) < round.reviews_per_case:
        return Shortage(Shortage.CONFLICTS, count=len(free), of=len(panel))
    return Shortage(Shortage.FULL)


def assignment_check(*, reviewer: AbstractBaseUser, case: Case) -> None:
    """Refuses a pair that must not exist: not a reviewer, already assigned, or a conflict of interest."""
    if not allowed(reviewer, REVIEW):
        raise Refused(_("%(user)s is not a reviewer.") % {"user": reviewer})
    profile = ReviewerProfile.objects.filter(user=reviewer).select_related("affiliation_agency").first()
    if profile is None:
        raise Refused(_("%(user)s has no reviewer profile.") % {"user": reviewer})
    if case.status not in ASSIGNABLE_STATUSES:
        raise Refused(_("Only submitted cases and cases in review can be assigned."))
    reason = conflict_reason(profile, case.agency)
    if reason:
        raise Refused(reason)
    if Bid.objects.filter(reviewer=reviewer, case=case, choice=BidChoice.CONFLICT).exists():
        raise Refused(
            _("%(reviewer)s declared a conflict of interest with this case.") % {"reviewer": profile}
        )
    recusal = Recusal.objects.filter(reviewer=reviewer, case=case).first()
    if recusal is not None:
        raise Refused(
            _("%(reviewer)s gave this case back (%(kind)s: %(reason)s); it is not assigned to them again.")
            % {"reviewer": profile, "kind": recusal.get_kind_display(), "reason": recusal.reason}
        )
    if Assignment.objects.filter(reviewer=reviewer, case=case).exists():
        raise Refused(_("This reviewer is already assigned to this case."))


def assignment_add(*, reviewer: AbstractBaseUser, case: Case, by: AbstractBaseUser | None) -> Assignment:
    """Assigns one reviewer to one case by hand, audited; refuses a conflicted pair with the reason."""
    organiser_required(by)
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=case.round_id)
        _check_assignment_phase(round)
        case = Case.objects.select_related("agency", "category").get(pk=case.pk)
        assignment_check(reviewer=reviewer, case=case)
        assignment = Assignment.objects.create(reviewer=reviewer, case=case, created_by=by)
        AssignmentEvent.objects.create(
            case=case, reviewer=reviewer, action=AssignmentEvent.Action.ADDED, by=by
        )
        return assignment


def _end_assignment(
    assignment: Assignment, *, action: str, by: AbstractBaseUser | None, reason: str = ""
) -> AssignmentEvent:
    """Deletes a locked assignment whose review is not submitted, with its draft if it has one, and records
    who took it off the case and whether a draft went with it: the one way an assignment ends."""
    status = Review.objects.filter(assignment=assignment).values_list("status", flat=True).first()
    if status == ReviewStatus.SUBMITTED:
        raise Refused(_("The review of this assignment was submitted; it cannot be removed."))
    case, reviewer_id = assignment.case, assignment.reviewer_id
    assignment.delete()
    return AssignmentEvent.objects.create(
        case=case,
        reviewer_id=reviewer_id,
        action=action,
        by=by,
        reason=reason.strip(),
        draft_discarded=status == ReviewStatus.DRAFT,
    )


def assignment_remove(
    *, assignment: Assignment, by: AbstractBaseUser | None, reason: str = ""
) -> AssignmentEvent:
    """Removes an assignment (and its draft), audited with the reason if one is given; a submitted review is
    evidence and is never thrown away."""
    organiser_required(by)
    round_id = Assignment.objects.filter(pk=assignment.pk).values_list("case__round_id", flat=True).first()
    if round_id is None:
        raise Refused(_("This assignment was already removed."))
    with transaction.atomic():
        # The round first, as every assignment change locks it.
        round = Round.objects.select_for_update().get(pk=round_id)
        _check_assignment_phase(round)
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("case")
            .filter(pk=assignment.pk)
            .first()
        )
        if assignment is None:
            raise Refused(_("This assignment was already removed."))
        return _end_assignment(assignment, action=AssignmentEvent.Action.REMOVED, by=by, reason=reason)
