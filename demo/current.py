"""The demo's current round (2025), left in the phase asked for so that every role has work to try.

- submission: the deadline two weeks ahead; most agencies have submitted, some hold a complete draft that
  their officer can submit at once;
- review: the deadline passed, cases in review and assigned; about half of the reviews submitted, some
  saved as drafts, one case whose reviewers disagree flagged on the board;
- selection: every review in, the board's proposal staged for the organiser to adjust and publish.

Every step goes through the services, with the same checks as in the admin; where the demo goes on with
work outstanding (drafts left behind, a flagged case), it overrides with a reason, as an organiser would.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from govcases import services as case_services
from govcases.enums import Phase
from govcases.models import Agency, Case, Category, Quota, Round
from reviews import services
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Criterion, Review

from . import build, reference
from .scores import reviews_submit, rubric_load, score_plan

YEAR = 2025
CASES = 120
DRAFTS = 12  # cases still drafts when submission ends
REASON = "演示：2025年评选进行中"
PHASES = (Phase.SUBMISSION, Phase.REVIEW, Phase.SELECTION)


# What the organisers tell agencies in the portal (Round.guidelines), as a call for cases would.
GUIDELINES = (
    "一、申报范围：已上线运行一年以上、成效可量化的网上政务服务创新实践。\n"
    "二、每个单位限报三个案例，每个案例只能选择一个类别。\n"
    "三、评审按创新性、实效性、整合度、持续性、示范性和可推广性五项指标进行。\n"
    "四、如有疑问，请联系组织方：cases@example.gov.cn。"
)


@dataclass
class CurrentRound:
    round: Round
    made: list[tuple[Case, build.PlannedCase]]
    accounts: list[build.Account]


def _round_create(*, organiser: User, categories: list[Category], phase: str) -> Round:
    now = timezone.now()
    submitting = phase == Phase.SUBMISSION
    round = Round.objects.create(
        year=YEAR,
        title=f"{YEAR}年网上政务创新实践案例征集",
        phase=Phase.SETUP,
        submission_deadline=now + timedelta(days=14) if submitting else now - timedelta(days=7),
        review_deadline=now + timedelta(days=30) if submitting else now + timedelta(days=10),
        reviews_per_case=3,
        guidelines=GUIDELINES,
    )
    quotas = {row["code"]: row["quota"] for row in reference.categories()}
    Quota.objects.bulk_create(Quota(round=round, category=c, seats=quotas[c.code]) for c in categories)
    return round


def _plan(agencies: list[Agency], categories: list[Category], rng: random.Random) -> list[build.PlannedCase]:
    """Second phases (二期) of last year's cases, by agencies that took part then, spread over the categories."""
    chosen = rng.sample(agencies, min(CASES, len(agencies)))
    return [
        build.PlannedCase(agency, categories[index % len(categories)], False, rng.randrange(4), 1)
        for index, agency in enumerate(chosen)
    ]


def _reviews(round: Round, *, biases: dict[int, float], every: bool, rng: random.Random) -> None:
    """Scores the round's assignments: all of them with `every`, else the disputed cases' (so that the board
    flags one) and about half of the rest, with some of the others saved as drafts."""
    planned = score_plan(round=round, selected_ids=set(), biases=biases, rng=rng)
    by_case: dict[int, list[int]] = {}
    for assignment_id, case_id in Assignment.objects.filter(pk__in=planned).values_list("pk", "case_id"):
        by_case.setdefault(case_id, []).append(assignment_id)
    submitted, drafted = {}, []
    for number, (_case_id, ids) in enumerate(sorted(by_case.items())):
        totals = [planned[pk] for pk in ids]
        if every or max(totals) - min(totals) > 25 or number % 2 == 0:
            submitted.update({pk: planned[pk] for pk in ids})
        elif number % 3 == 1:
            drafted.append(ids[0])
    reviews_submit(round=round, planned=submitted, rng=rng)
    for assignment in Assignment.objects.filter(pk__in=drafted).select_related("reviewer", "case"):
        first = Criterion.objects.filter(round=round, category_id=assignment.case.category_id).order_by(
            "position"
        )[:2]
        points = {criterion.pk: criterion.max_points // 2 for criterion in first}
        services.review_save(assignment=assignment, by=assignment.reviewer, points=points, comment="")


def current_round_load(
    *,
    phase: str,
    agencies: list[Agency],
    categories: list[Category],
    officers: dict[int, User],
    organiser: User,
    biases: dict[int, float],
    seed: int,
) -> CurrentRound:
    """Rebuilds the 2025 round in `phase` (submission, review or selection)."""
    if phase not in PHASES:
        raise ValueError(f"the current round can be left in {', '.join(PHASES)}, not {phase}")
    rng = random.Random(seed + YEAR)
    build.round_clear(YEAR)
    round = _round_create(organiser=organiser, categories=categories, phase=phase)
    rubric_load(round, categories)
    now = timezone.now()
    opens = now - timedelta(days=40)
    round = case_services.round_phase_set(
        round=round, to=Phase.SUBMISSION, by=organiser, override=True, reason=REASON
    )
    plan = _plan(agencies, categories, rng)
    closes = now if phase == Phase.SUBMISSION else round.submission_deadline
    made = build.cases_submit(
        round=round,
        plan=plan,
        officers=officers,
        rng=rng,
        seed=seed + YEAR,
        opens=opens,
        closes=closes,
        drafts=DRAFTS,
    )
    if phase != Phase.SUBMISSION:
        round = case_services.round_phase_set(
            round=round, to=Phase.REVIEW, by=organiser, override=True, reason=REASON
        )
        services.assignment_generate(round=round, by=organiser)
        _reviews(round, biases=biases, every=phase == Phase.SELECTION, rng=rng)
    if phase == Phase.SELECTION:
        round = case_services.round_phase_set(
            round=round, to=Phase.SELECTION, by=organiser, override=True, reason=REASON
        )
        services.selection_propose(round=round, by=organiser)
    return CurrentRound(round=round, made=made, accounts=_accounts(round, made, officers, organiser))


def _accounts(round: Round, made, officers: dict[int, User], organiser: User) -> list[build.Account]:
    """For each role one account of the current round and one thing to try."""
    phase = Phase(round.phase)
    organiser_note = {
        Phase.SUBMISSION: f"/admin/: {YEAR} round taking submissions; open its page and try “Next phase”",
        Phase.REVIEW: f"/admin/: {YEAR} review progress and ranking board; a flagged case waits",
        Phase.SELECTION: f"/admin/: {YEAR} selection board with the proposal staged; adjust and publish",
    }[phase]
    accounts = [build.Account("organiser", organiser.username, organiser_note)]
    if phase != Phase.SUBMISSION:
        # Two plain reads rather than one join: inside the demo's long transaction PostgreSQL has no
        # statistics for the rows it just wrote, and planned the join to take minutes.
        done = set(
            Review.objects.filter(assignment__case__round=round, status=ReviewStatus.SUBMITTED).values_list(
                "assignment_id", flat=True
            )
        )
        waiting = sorted(
            username
            for pk, username in Assignment.objects.filter(case__round=round).values_list(
                "pk", "reviewer__username"
            )
            if pk not in done
        )
        if waiting:
            accounts.append(
                build.Account("reviewer", waiting[0], f"/review/: {YEAR} cases waiting to be scored")
            )
    draft = next((case for case, _planned in reversed(made) if case.status == "draft"), None)
    if phase == Phase.SUBMISSION and draft:
        user = officers[draft.agency_id]
        accounts.append(
            build.Account("agency", user.username, f"/portal/: a complete {YEAR} draft to submit")
        )
    else:
        case = made[0][0]
        user = officers[case.agency_id]
        accounts.append(build.Account("agency", user.username, f"/portal/: its {YEAR} case, in review"))
    return accounts
