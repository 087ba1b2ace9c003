"""The demo's current round (2025), left in the phase asked for so that every role has work to try.

- submission: the deadline two weeks ahead; most agencies have submitted, some hold a complete draft that
  their officer can submit at once;
- triage: the deadline passed, the research team has passed or put out (with a reason) about two thirds of
  the submitted cases; the rest wait on the triage list;
- review: triage done (a few cases screened out, with reasons), the passed cases in review and assigned;
  about half of the reviews submitted, some saved as drafts, one case whose reviewers disagree flagged and
  discussed (the organiser asks, a reviewer answers), one case given back by its reviewer with the solver's
  replacement waiting for the organiser to accept;
- selection: every review in, the board's proposal staged for the organiser to adjust;
- verification: the proposal under verification: most selected cases checked and passed, one failed (back on
  the selection board with the reason), a few still to check.

The round uses both optional stages, as the 2025 call describes (初步筛选 → 专家评审 → 复核校验).

Every step goes through the services, with the same checks as in the admin; where the demo goes on with
work outstanding (drafts left behind, a flagged case), it overrides with a reason, as an organiser would.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from govcases import services as case_services
from govcases.enums import CaseStatus, Phase
from govcases.models import Agency, Case, Category, Quota, Round
from govcases.permissions import RESEARCHERS
from reviews import services
from reviews.discussion import open_discussions
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Criterion, Review
from reviews.selectors import provisional_selection

from . import build, reference
from .scores import reviews_submit, rubric_load, score_plan

YEAR = 2025
CASES = 120
DRAFTS = 12  # cases still drafts when submission ends
REASON = "演示：2025年评选进行中"
PHASES = (Phase.SUBMISSION, Phase.TRIAGE, Phase.REVIEW, Phase.SELECTION, Phase.VERIFICATION)
SCREENED_OUT = 8  # cases the research team puts out in triage
RESEARCHER = "researcher"
# Why the research team put a case out: what its agency reads at publication.
OUT_REASONS = [
    "属于常规业务系统建设，创新性不足，不符合本次征集的创新实践要求",
    "申报材料缺少可衡量的应用成效数据，无法判断实际效果",
    "服务链接无法访问，无法核实系统已上线运行",
    "与往年入选案例内容基本重复，未体现新的进展",
]
VERIFICATION_FAILURE = "服务链接打开后提示“页面不存在”，无法核实系统已上线运行"
# The flagged case's discussion: the organisers ask, the reviewer who scored lowest answers.
DISCUSSION_QUESTION = (
    "三位专家对本案例的评分差距较大，请各位专家简要说明评分理由，特别是“实效性”和“示范推广价值”两项；"
    "如讨论后认为需要调整，可修改评分并说明原因。"
)
DISCUSSION_ANSWER = (
    "我的评分偏低，主要是申报材料中的应用成效多为办件量统计，缺少办理时长缩短、群众满意度等前后对比数据；"
    "材料也未说明数据接口是否标准化，其他地区推广的难度难以判断。如其他专家掌握更多实际成效情况，我愿意重新评估。"
)
# Why a reviewer gives a case back in review: the replacement the solver proposes waits for the organiser.
DECLINE_REASON = "该案例的专业领域与本人研究方向相差较远，难以作出准确评价，申请退回由其他专家评审"


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
    researcher = _researcher(organiser)
    order = list(PHASES)
    if order.index(phase) >= order.index(Phase.TRIAGE):
        round = case_services.round_phase_set(
            round=round, to=Phase.TRIAGE, by=organiser, override=True, reason=REASON
        )
        _triage(round, by=researcher, every=phase != Phase.TRIAGE, rng=rng)
    if order.index(phase) >= order.index(Phase.REVIEW):
        round = case_services.round_phase_set(round=round, to=Phase.REVIEW, by=organiser, reason=REASON)
        services.assignment_generate(round=round, by=organiser)
        _reviews(round, biases=biases, every=phase != Phase.REVIEW, rng=rng)
        if phase == Phase.REVIEW:
            _discuss(round, organiser=organiser)
            _decline(round)
    if order.index(phase) >= order.index(Phase.SELECTION):
        round = case_services.round_phase_set(
            round=round, to=Phase.SELECTION, by=organiser, override=True, reason=REASON
        )
        services.selection_propose(round=round, by=organiser)
    if phase == Phase.VERIFICATION:
        round = case_services.round_phase_set(
            round=round, to=Phase.VERIFICATION, by=organiser, override=True, reason=REASON
        )
        _verify(round, by=researcher)
    return CurrentRound(
        round=round, made=made, accounts=_accounts(round, made, officers, organiser, researcher)
    )


def _researcher(organiser: User) -> User:
    """The research team's demo account (课题组): triage and verification, with every demo account's
    password."""
    return build.users_upsert(
        [{"username": RESEARCHER, "first_name": "课题组", "last_name": "研究员", "is_staff": True}],
        hashed_password=organiser.password,
        group_name=RESEARCHERS,
    )[RESEARCHER]


def _triage(round: Round, *, by: User, every: bool, rng: random.Random) -> None:
    """The research team's triage: a few cases out with a reason, the others passed; with `every` all of
    them, else about two thirds, the rest left on the list."""
    submitted = list(round.cases.filter(status=CaseStatus.SUBMITTED).order_by("pk"))
    out = {case.pk for case in rng.sample(submitted, min(SCREENED_OUT, len(submitted)))}
    decided = submitted if every else [case for number, case in enumerate(submitted) if number % 3]
    for number, case in enumerate(decided):
        if case.pk in out:
            reason = OUT_REASONS[number % len(OUT_REASONS)]
            case_services.triage_decide(case=case, passed=False, by=by, reason=reason)
        else:
            case_services.triage_decide(case=case, passed=True, by=by)


def _discuss(round: Round, *, organiser: User) -> None:
    """Opens the flagged case's discussion: the organiser asks the reviewers to explain their scores and the
    reviewer who scored lowest answers (the scores stay as they are, so the case stays flagged)."""
    in_review = Case.objects.filter(round=round, status=CaseStatus.IN_REVIEW).values_list("pk", flat=True)
    flagged = min(open_discussions(in_review), default=None)
    if flagged is None:
        return
    case = Case.objects.get(pk=flagged)
    services.discussion_comment_post(case=case, by=organiser, body=DISCUSSION_QUESTION)
    lowest = (
        Review.objects.filter(assignment__case=case, status=ReviewStatus.SUBMITTED)
        .select_related("assignment__reviewer")
        .order_by("total", "pk")
        .first()
    )
    services.discussion_comment_post(case=case, by=lowest.assignment.reviewer, body=DISCUSSION_ANSWER)


def _decline(round: Round) -> None:
    """One reviewer gives back a case they have not started: the solver proposes who takes it, and the
    proposal waits on the review progress board for the organiser to accept."""
    started = set(
        Review.objects.filter(assignment__case__round=round).values_list("assignment_id", flat=True)
    )
    untouched = [
        pk
        for pk in Assignment.objects.filter(case__round=round).order_by("-pk").values_list("pk", flat=True)
        if pk not in started
    ]
    if untouched:
        assignment = Assignment.objects.select_related("reviewer").get(pk=untouched[0])
        services.assignment_decline(assignment=assignment, by=assignment.reviewer, reason=DECLINE_REASON)


def _verify(round: Round, *, by: User) -> None:
    """Checks most of the proposal: the first case fails (its service link is dead), the last three wait."""
    selected = list(provisional_selection(round=round).order_by("category__position", "pk"))
    for number, case in enumerate(selected[:-3]):
        failed = number == 0
        services.verification_record(
            case=case, passed=not failed, by=by, reason=VERIFICATION_FAILURE if failed else ""
        )


def _accounts(
    round: Round, made, officers: dict[int, User], organiser: User, researcher: User
) -> list[build.Account]:
    """For each role one account of the current round and one thing to try."""
    phase = Phase(round.phase)
    organiser_note = {
        Phase.SUBMISSION: f"/admin/: {YEAR} round taking submissions; open its page and try “Next phase”",
        Phase.TRIAGE: f"/admin/: {YEAR} triage list; then “Next phase” sends the passed cases to review",
        Phase.REVIEW: (
            f"/admin/: {YEAR} review progress: accept the replacement for a case given back; "
            "ranking board: a flagged case under discussion"
        ),
        Phase.SELECTION: f"/admin/: {YEAR} selection board with the proposal staged; then verification",
        Phase.VERIFICATION: f"/admin/: {YEAR} selection board: a case failed its check; replace it, publish",
    }[phase]
    accounts = [build.Account("organiser", organiser.username, organiser_note)]
    researcher_note = {
        Phase.TRIAGE: f"/admin/: {YEAR} triage list: pass or put out the cases not triaged yet",
        Phase.VERIFICATION: f"/admin/: {YEAR} verification list: check the selected cases still open",
    }.get(phase)
    if researcher_note:
        accounts.append(build.Account("research", researcher.username, researcher_note))
    if phase not in {Phase.SUBMISSION, Phase.TRIAGE}:
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
        # A case still in the running (not one the triage put out): its agency has something to follow.
        running = Case.objects.filter(round=round, status__in=[CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW])
        case = running.order_by("pk").first() or made[0][0]
        user = officers[case.agency_id]
        where = "in triage" if phase == Phase.TRIAGE else "in review"
        accounts.append(build.Account("agency", user.username, f"/portal/: its {YEAR} case, {where}"))
    return accounts
