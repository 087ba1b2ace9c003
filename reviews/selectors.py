"""Reads for the reviewers' and organisers' pages, each in a constant number of queries."""

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from govcases.enums import LEVEL_ORDER, CaseStatus, Phase, RankingScore
from govcases.models import Agency, Case, Category, Publication, Quota, Round, level_order
from govcases.notifications import person_name
from govcases.selectors import earlier_selected_cases
from govcases.similarity import Match, likely_matches

from . import scoring
from .conflicts import AgencyIndex
from .enums import ASSIGNABLE_STATUSES, ASSIGNMENT_PHASES, ReviewStatus
from .models import (
    Assignment,
    Bid,
    Criterion,
    Recusal,
    Review,
    ReviewerProfile,
    Score,
    SelectionDecision,
    SelectionEvent,
    VerificationCheck,
)

# Ranked cases: those in review, and those with an outcome, so that the ranking stays viewable afterwards.
RANKED_STATUSES = (CaseStatus.IN_REVIEW, CaseStatus.SELECTED, CaseStatus.NOT_SELECTED, CaseStatus.PUBLISHED)
# Cases that can be chosen: in review, or carrying an outcome that a correction may change.
SELECTABLE = (CaseStatus.IN_REVIEW, CaseStatus.SELECTED, CaseStatus.NOT_SELECTED, CaseStatus.PUBLISHED)


@dataclass
class RankingRow:
    case: Case
    category: Category
    rank: int | None
    tied: bool
    reviews: int
    mean: Decimal | None
    median: Decimal | None
    stdev: Decimal | None
    range: Decimal | None
    normalised: Decimal | None
    flagged: bool
    score: Decimal | None
    totals: tuple[int, ...] = ()
    # The rank as the round numbers it after a tie (competition or dense). `rank` is always the competition
    # rank: one more than the cases above, which is what quotas and the cut line count.
    shown_rank: int | None = None


def submitted_ratings(*, round: Round) -> list[scoring.Rating]:
    """Every submitted review total of the round, in one query."""
    rows = Review.objects.filter(
        assignment__case__round=round,
        assignment__case__status__in=RANKED_STATUSES,
        status=ReviewStatus.SUBMITTED,
        total__isnull=False,
    ).values_list("assignment__reviewer_id", "assignment__case_id", "total")
    return [scoring.Rating(reviewer, case, total) for reviewer, case, total in rows]


# What a ranking shows of a case. A national round ranks tens of thousands of cases: their long texts and
# dates would only cost memory and time, and one shared agency or category object per id saves building
# them again for every case.
RANKED_CASE_FIELDS = ("round_id", "agency_id", "category_id", "title", "status", "reference")


def ranking_rows(*, round: Round, category: Category | int | None = None) -> list[RankingRow]:
    """The ranking of a round, per category in the categories' order, each in rank order (four queries).

    Normalisation always looks at the whole round: a reviewer's harshness shows across every case they scored.
    """
    cases = Case.objects.filter(round=round, status__in=RANKED_STATUSES, category__isnull=False).only(
        *RANKED_CASE_FIELDS
    )
    if category is not None:
        cases = cases.filter(category=category)
    agencies = {agency.pk: agency for agency in Agency.objects.filter(pk__in=cases.values("agency_id"))}
    categories = Category.objects.in_bulk()
    cases = list(cases)
    for case in cases:
        case.agency, case.category = agencies[case.agency_id], categories[case.category_id]
    ratings = submitted_ratings(round=round)
    normalised = scoring.normalise(ratings, min_reviews=round.normalisation_min_reviews)
    totals_by_case: dict[int, list[int]] = defaultdict(list)
    for rating in ratings:
        totals_by_case[rating.case].append(rating.total)
    range_threshold, stdev_threshold = float(round.disagreement_range), float(round.disagreement_stdev)

    rows_by_category: dict[int, list[RankingRow]] = defaultdict(list)
    for case in cases:
        totals = sorted(totals_by_case.get(case.pk, []))
        mean = scoring.two_places(scoring.mean(totals))
        norm = scoring.two_places(normalised.get(case.pk))
        rows_by_category[case.category_id].append(
            RankingRow(
                case=case,
                category=case.category,
                rank=None,
                tied=False,
                reviews=len(totals),
                mean=mean,
                median=scoring.two_places(scoring.median(totals)),
                stdev=scoring.two_places(scoring.stdev(totals)),
                range=scoring.two_places(scoring.score_range(totals)),
                normalised=norm,
                flagged=scoring.disagreement(
                    totals, range_threshold=range_threshold, stdev_threshold=stdev_threshold
                ),
                score=norm if round.ranking_score == RankingScore.NORMALISED else mean,
                totals=tuple(totals),
            )
        )
    result: list[RankingRow] = []
    for rows in sorted(
        rows_by_category.values(), key=lambda rows: (rows[0].category.position, rows[0].category.pk)
    ):
        scores = [row.score for row in rows]
        ranks = scoring.competition_rank(scores)
        shown = scoring.ranks(scores, convention=round.ranking_convention)
        for row, rank, shown_rank, is_tied in zip(rows, ranks, shown, scoring.tied(ranks), strict=True):
            row.rank, row.shown_rank, row.tied = rank, shown_rank, is_tied
        rows.sort(
            key=lambda row: (
                row.rank is None,
                row.rank or 0,
                LEVEL_ORDER.get(row.case.agency.level, len(LEVEL_ORDER)),
                row.case.agency.pinyin,
                row.case.pk,
            )
        )
        result.extend(rows)
    return result


def board_key(round: Round) -> tuple:
    """What the organisers' boards of a round show depends on: its revision (see Round.revision), its phase
    and the settings that rank and flag cases. Their cached copies are kept under it."""
    return (
        round.pk,
        round.revision,
        round.phase,
        round.ranking_score,
        round.ranking_convention,
        round.normalisation_min_reviews,
        str(round.disagreement_range),
        str(round.disagreement_stdev),
    )


@functools.lru_cache(maxsize=2)
def board_ranking(key: tuple) -> list[RankingRow]:
    """The ranking of the round `key` (a `board_key`) for the boards, kept in this process until it changes.

    A national round takes about a second to rank, and organisers page, sort and filter the ranking many
    times between two changes. Two are kept (the round at hand and one more): at 20,000 cases a ranking
    holds about 40 MB. The rows are shared between requests: read them, never change them. Services that act
    on the ranking (selection, publication) call `ranking_rows` for fresh rows instead.
    """
    return ranking_rows(round=Round.objects.get(pk=key[0]))


# How many places either side of a category's cut line the board tells how stable a case's place is.
NEAR_THE_CUT = 5
BOOTSTRAP_DRAWS = 1000


@dataclass(frozen=True)
class Stability:
    """How firmly a case near its category's cut line is in or out."""

    interval: tuple[int, int] | None  # the 90% interval of its rank when its reviews are resampled
    inside: bool  # within the quota by its rank now
    inside_by_other: bool | None  # within the quota by the other score (mean or normalised); None: no score


def cut_line_stability(*, round: Round, rows: list[RankingRow]) -> dict[int, Stability]:
    """For the cases within NEAR_THE_CUT places of each category's cut line, keyed by case id: their rank
    interval from resampling their reviews (seeded by the round, so the board shows the same every time) and
    whether they would be in or out under the other score. Two queries (quotas; ratings when normalised)."""
    seats = dict(round.quotas.values_list("category_id", "seats"))
    by_normalised = round.ranking_score == RankingScore.NORMALISED
    mapped = (
        scoring.normalised_ratings(
            submitted_ratings(round=round), min_reviews=round.normalisation_min_reviews
        )
        if by_normalised
        else {}
    )
    by_category: dict[int, list[RankingRow]] = defaultdict(list)
    for row in rows:
        by_category[row.category.pk].append(row)
    result = {}
    for category_id, category_rows in by_category.items():
        quota = seats.get(category_id)
        if not quota:
            continue
        focus = [
            index
            for index, row in enumerate(category_rows)
            if row.rank is not None and quota - NEAR_THE_CUT < row.rank <= quota + NEAR_THE_CUT
        ]
        values = [mapped.get(row.case.pk, []) if by_normalised else list(row.totals) for row in category_rows]
        intervals = scoring.bootstrap_rank_intervals(
            values, focus=focus, draws=BOOTSTRAP_DRAWS, seed=round.pk * 1000 + category_id
        )
        other = scoring.competition_rank(
            [row.mean if by_normalised else row.normalised for row in category_rows]
        )
        for index in focus:
            row = category_rows[index]
            result[row.case.pk] = Stability(
                interval=intervals.get(index),
                inside=row.rank <= quota,
                inside_by_other=None if other[index] is None else other[index] <= quota,
            )
    return result


@dataclass
class QueueProgress:
    assigned: int
    submitted: int


def reviewer_queue(*, reviewer: AbstractBaseUser) -> QuerySet[Assignment]:
    """A reviewer's assignments in open rounds: the queue."""
    return Assignment.objects.filter(reviewer=reviewer, case__status=CaseStatus.IN_REVIEW)


def queue_progress(assignments: QuerySet[Assignment]) -> QueueProgress:
    """How many of these assignments there are, and how many are submitted (one query)."""
    counts = assignments.aggregate(
        assigned=Count("pk"), submitted=Count("pk", filter=Q(review__status=ReviewStatus.SUBMITTED))
    )
    return QueueProgress(assigned=counts["assigned"], submitted=counts["submitted"])


def reviewer_progress(*, reviewer: AbstractBaseUser) -> QueueProgress:
    """How many of a reviewer's assignments in open rounds are submitted (one query)."""
    return queue_progress(reviewer_queue(reviewer=reviewer))


def reviewer_assignments(*, reviewer: AbstractBaseUser) -> QuerySet[Assignment]:
    """Every assignment the reviewer ever had, in any round and whatever became of the case: their own
    reviews stay theirs to read after the round is published or archived."""
    return Assignment.objects.filter(reviewer=reviewer)


# The phases in which a review can no longer be written: a draft left then was never submitted.
REVIEW_OVER_PHASES = (Phase.SELECTION, Phase.PUBLISHED, Phase.ARCHIVED)


@dataclass
class HistoryLine:
    """One of a reviewer's reviews as their history shows it."""

    assignment: Assignment
    state: str  # "submitted", "draft" (the round is still in review) or "not_submitted"
    review: Review | None
    scores: list[tuple[str, int, int]]  # (criterion, points, maximum) in the rubric's order


@dataclass
class HistoryRound:
    round: Round
    lines: list[HistoryLine]


def reviewer_history(*, reviewer: AbstractBaseUser) -> list[HistoryRound]:
    """The reviewer's own reviews of every round, newest round first (two queries, however many)."""
    assignments = (
        reviewer_assignments(reviewer=reviewer)
        .select_related("case__round", "case__category", "case__agency", "review")
        .only(
            "reviewer_id",
            "case__title",
            "case__status",
            "case__round__year",
            "case__round__title",
            "case__round__phase",
            "case__round__blind_review",
            "case__category__name",
            "case__category__position",
            "case__agency__name",
            "case__agency__display_name",
            "review__status",
            "review__comment",
            "review__total",
            "review__submitted_at",
            "review__updated_at",
        )
        .order_by("-case__round__year", "case__category__position", "case_id")
    )
    assignments = list(assignments)
    scores = defaultdict(list)
    for review_id, name, points, maximum in (
        Score.objects.filter(review__assignment__reviewer=reviewer)
        .order_by("criterion__position", "criterion_id")
        .values_list("review_id", "criterion__name", "points", "criterion__max_points")
    ):
        scores[review_id].append((name, points, maximum))
    rounds: dict[int, HistoryRound] = {}
    for assignment in assignments:
        review = getattr(assignment, "review", None)
        if review is not None and review.status == ReviewStatus.SUBMITTED:
            state = "submitted"
        elif assignment.case.round.phase in REVIEW_OVER_PHASES:
            state = "not_submitted"
        else:
            state = "draft"
        round = assignment.case.round
        rounds.setdefault(round.pk, HistoryRound(round=round, lines=[])).lines.append(
            HistoryLine(
                assignment=assignment,
                state=state,
                review=review,
                scores=scores.get(review.pk, []) if review is not None else [],
            )
        )
    return list(rounds.values())


def rubric(*, round_id: int, category_id: int | None) -> list[Criterion]:
    """The criteria a case of this round and category is scored on, in order."""
    return list(
        Criterion.objects.filter(round_id=round_id, category_id=category_id).order_by("position", "pk")
    )


@dataclass
class RubricSum:
    round: Round
    category: Category
    points: int


def rubric_sums(*, rounds: int = 3) -> list[RubricSum]:
    """Each category's rubric in the latest `rounds` rounds, with its points (which must add up to 100)."""
    sums = {
        (row["round_id"], row["category_id"]): row["points"]
        for row in Criterion.objects.values("round_id", "category_id").annotate(points=Sum("max_points"))
    }
    return [
        RubricSum(round=round, category=category, points=sums.get((round.pk, category.pk), 0))
        for round in Round.objects.order_by("-year")[:rounds]
        for category in Category.objects.order_by("position", "pk")
    ]


def next_pending_assignment(
    *, reviewer: AbstractBaseUser, after: Assignment | None = None
) -> Assignment | None:
    """The reviewer's next assignment still to submit, in the queue's order, wrapping around."""
    pending = (
        Assignment.objects.filter(
            reviewer=reviewer, case__status=CaseStatus.IN_REVIEW, case__round__phase=Phase.REVIEW
        )
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .order_by("case__category__position", "case_id")
    )
    if after is not None:
        pending = pending.exclude(pk=after.pk)
        later = pending.filter(
            Q(case__category__position__gt=after.case.category.position)
            | Q(case__category__position=after.case.category.position, case_id__gt=after.case_id)
        ).first()
        if later is not None:
            return later
    return pending.first()


@dataclass
class ProgressLine:
    label: str
    assigned: int = 0
    submitted: int = 0
    overdue: int = 0

    @property
    def pending(self) -> int:
        return self.assigned - self.submitted


@dataclass
class RoundProgress:
    by_category: list[ProgressLine]
    by_reviewer: list[ProgressLine]
    total: ProgressLine
    deadline_passed: bool


def review_progress(*, round: Round, now=None) -> RoundProgress:
    """Assigned, submitted and overdue reviews per category and per reviewer (two queries)."""
    now = now or timezone.now()
    deadline_passed = bool(round.review_deadline and now > round.review_deadline)
    rows = (
        Assignment.objects.filter(case__round=round, case__status__in=RANKED_STATUSES)
        .values(
            "case__category_id",
            "case__category__name",
            "case__category__position",
            "reviewer_id",
            "reviewer__username",
            "reviewer__first_name",
            "reviewer__last_name",
        )
        .annotate(
            assigned=Count("pk"), submitted=Count("pk", filter=Q(review__status=ReviewStatus.SUBMITTED))
        )
        .order_by()
    )
    by_category: dict[int, ProgressLine] = {}
    by_reviewer: dict[int, ProgressLine] = {}
    total = ProgressLine(label="")
    category_order = {}
    for row in rows:
        category_order[row["case__category_id"]] = (row["case__category__position"], row["case__category_id"])
        name = (
            f"{row['reviewer__last_name']}{row['reviewer__first_name']}".strip() or row["reviewer__username"]
        )
        for line in (
            by_category.setdefault(
                row["case__category_id"], ProgressLine(row["case__category__name"] or "—")
            ),
            by_reviewer.setdefault(row["reviewer_id"], ProgressLine(name)),
            total,
        ):
            line.assigned += row["assigned"]
            line.submitted += row["submitted"]
            if deadline_passed:
                line.overdue += row["assigned"] - row["submitted"]
    return RoundProgress(
        by_category=[by_category[key] for key in sorted(by_category, key=lambda key: category_order[key])],
        by_reviewer=sorted(by_reviewer.values(), key=lambda line: (-line.pending, line.label)),
        total=total,
        deadline_passed=deadline_passed,
    )


# --- reminders -------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    reviewer: AbstractBaseUser
    cases: list[Case]

    @property
    def name(self) -> str:
        return person_name(self.reviewer)


def review_reminders(*, round: Round) -> list[Reminder]:
    """Who has pending reviews in the round, and which: what review_reminders_send sends (one query)."""
    pending = (
        Assignment.objects.filter(case__round=round, case__status=CaseStatus.IN_REVIEW)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related("reviewer", "case")
        .order_by("reviewer__username", "case_id")
    )
    reminders: dict[int, Reminder] = {}
    for assignment in pending:
        reminder = reminders.setdefault(assignment.reviewer_id, Reminder(assignment.reviewer, []))
        reminder.cases.append(assignment.case)
    return list(reminders.values())


# --- selection -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaState:
    category: Category
    seats: int
    selected: int

    @property
    def met(self) -> bool:
        return self.selected == self.seats


def quota_states(*, round: Round) -> list[QuotaState]:
    """How many seats each category has and how many are taken by staged decisions (one query)."""
    quotas = (
        Quota.objects.filter(round=round)
        .select_related("category")
        .annotate(
            taken=Count(
                "category__cases",
                filter=Q(
                    category__cases__round=round,
                    category__cases__status__in=SELECTABLE,
                    category__cases__selection__selected=True,
                ),
            )
        )
        .order_by("category__position", "category_id")
    )
    return [QuotaState(category=quota.category, seats=quota.seats, selected=quota.taken) for quota in quotas]


@dataclass
class BoardRow:
    row: RankingRow
    selected: bool
    reason: str
    at_cut: bool
    # The latest verification check of a staged case (a failed one sends it back here with its reason).
    check: "VerificationCheck | None" = None


@dataclass
class BoardColumn:
    quota: QuotaState
    rows: list[BoardRow]
    hidden: int = 0  # ranked lower than the rows shown


@dataclass
class SelectionBoard:
    columns: list[BoardColumn]
    publications: list[Publication]
    events: list[SelectionEvent]


# Below the cut line an organiser looks at the next cases (to pass over a case, or to fill a seat that a
# withdrawal frees). A national round ranks thousands of cases per category: the rest are shown on demand.
ROWS_BELOW_THE_CUT = 10
# The latest selection events shown under the board.
HISTORY_LENGTH = 50


def selection_board(*, round: Round, complete: bool) -> SelectionBoard:
    """The selection board of a round: per category its quota, its cases in rank order with their staged
    decisions (around the cut line, or all of them if `complete`), and the round's publications and latest
    selection events. A constant number of queries, with the ranking from `board_ranking`."""
    decisions = {
        decision.case_id: decision
        for decision in SelectionDecision.objects.filter(case__round=round).only(
            "case_id", "selected", "reason"
        )
    }
    rows = board_ranking(board_key(round))
    # A deselected case keeps its failed check in view, so that nobody selects it again unawares.
    checks = latest_checks(case_ids=list(decisions))
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
                check=checks.get(row.case.pk),
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
    return SelectionBoard(
        columns=columns,
        publications=list(round.publications.order_by("-version")),
        events=list(
            SelectionEvent.objects.filter(case__round=round)
            .select_related("case", "by")
            .order_by("-at", "-pk")[:HISTORY_LENGTH]
        ),
    )


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


# --- verification ------------------------------------------------------------------------------------------

VERIFICATION_STATES = ("open", "failed", "passed")


@dataclass
class VerificationRow:
    case: Case
    latest: VerificationCheck | None  # the check that counts
    checks: list[VerificationCheck]  # every check, oldest first
    reviewer_ids: set[int]
    matches: list[Match]

    @property
    def state(self) -> str:
        if self.latest is None:
            return "open"
        return "passed" if self.latest.passed else "failed"

    def checkable_by(self, user) -> bool:
        """Whether `user` may check the case (the service decides; the page only leaves the buttons out)."""
        return user.pk not in self.reviewer_ids


@dataclass
class VerificationList:
    rows: list[VerificationRow]
    counts: dict[str, int]
    state: str


def provisional_selection(*, round: Round) -> QuerySet[Case]:
    """The cases staged as selected: what verification checks before publication."""
    return Case.objects.filter(round=round, status__in=SELECTABLE, selection__selected=True)


def latest_checks(*, case_ids) -> dict[int, VerificationCheck]:
    """Each case's latest check (the one that counts), in one query."""
    latest = {}
    for check in VerificationCheck.objects.filter(case_id__in=case_ids).order_by("at", "pk"):
        latest[check.case_id] = check
    return latest


def verification_list(*, round: Round, state: str = "") -> VerificationList:
    """The provisional selection with each case's checks, its reviewers (who may not check it) and the
    earlier selected cases it may repeat; in a constant number of queries (cases, checks, reviewers,
    earlier cases)."""
    cases = list(
        provisional_selection(round=round)
        .select_related("agency", "category")
        .only(
            "title", "reference", "service_url", "summary", "outcomes", "round_id", "status",
            "agency__display_name", "agency__level", "category__name", "category__position",
        )
        .alias(level_rank=level_order("agency__level"))
        .order_by("category__position", "level_rank", "agency__pinyin", "pk")
    )  # fmt: skip
    ids = [case.pk for case in cases]
    checks = defaultdict(list)
    for check in VerificationCheck.objects.filter(case_id__in=ids).select_related("by").order_by("at", "pk"):
        checks[check.case_id].append(check)
    reviewers = defaultdict(set)
    for case_id, reviewer_id in Assignment.objects.filter(case_id__in=ids).values_list(
        "case_id", "reviewer_id"
    ):
        reviewers[case_id].add(reviewer_id)
    candidates = earlier_selected_cases(before_year=round.year)
    rows = [
        VerificationRow(
            case=case,
            latest=checks[case.pk][-1] if checks[case.pk] else None,
            checks=checks[case.pk],
            reviewer_ids=reviewers[case.pk],
            matches=likely_matches(title=case.title, agency_id=case.agency_id, candidates=candidates),
        )
        for case in cases
    ]
    counts = Counter(row.state for row in rows)
    return VerificationList(
        rows=[row for row in rows if not state or row.state == state],
        counts={each: counts[each] for each in VERIFICATION_STATES},
        state=state if state in VERIFICATION_STATES else "",
    )


# --- the reviewers' own say: bidding and cases given back ----------------------------------------------------


def bidding_round() -> Round | None:
    """The round whose bidding is open (the latest, should the organisers open two)."""
    return Round.objects.filter(bidding_open=True, phase__in=ASSIGNMENT_PHASES).order_by("-year").first()


def biddable_cases(*, reviewer: AbstractBaseUser, round: Round) -> QuerySet[Case]:
    """The cases of `round` that the reviewer may be assigned and so may bid on: of their panels, taking part
    in review, never one of an agency they have a conflict of interest with, one already theirs or one they
    gave back. Three queries to build (their profile, its declared conflicts, the agencies)."""
    profile = ReviewerProfile.objects.filter(user=reviewer).prefetch_related("declared_conflicts").first()
    if profile is None:
        return Case.objects.none()
    conflicts = AgencyIndex.load().conflicts(
        affiliation_id=profile.affiliation_agency_id,
        declared={agency.pk for agency in profile.declared_conflicts.all()},
    )
    return (
        round.cases.filter(status__in=ASSIGNABLE_STATUSES, category__reviewers=profile)
        .exclude(agency_id__in=conflicts)
        .exclude(assignments__reviewer=reviewer)
        .exclude(recusals__reviewer=reviewer)
    )


def bidding_rows(*, reviewer: AbstractBaseUser, round: Round, category_id: int | None = None) -> QuerySet:
    """The bidding page's rows (case id, title, agency, category, the reviewer's choice or None), in the
    queue's order: category, then agency in pinyin order."""
    cases = biddable_cases(reviewer=reviewer, round=round)
    if category_id is not None:
        cases = cases.filter(category_id=category_id)
    own_choice = Bid.objects.filter(reviewer=reviewer, case=OuterRef("pk")).values("choice")[:1]
    return (
        cases.annotate(choice=Subquery(own_choice))
        .order_by("category__position", "agency__pinyin", "pk")
        .values("pk", "title", "agency__display_name", "category__name", "choice")
    )


def bidding_categories(*, reviewer: AbstractBaseUser) -> list[Category]:
    """The categories of the reviewer's panels, for the bidding page's filter."""
    return list(Category.objects.filter(reviewers__user=reviewer).order_by("position", "pk"))


def recusals_open(*, round: Round) -> list[Recusal]:
    """The cases given back in `round` that still wait for their replacement, oldest first, with the names of
    the reviewer who gave each back (`reviewer_name`) and of the one proposed (`proposed_name`)."""
    recusals = list(
        Recusal.objects.filter(case__round=round, resolved_at__isnull=True)
        .select_related("case__agency", "case__category", "reviewer", "proposed")
        .order_by("at", "pk")
    )
    for recusal in recusals:
        recusal.reviewer_name = person_name(recusal.reviewer)
        recusal.proposed_name = person_name(recusal.proposed) if recusal.proposed else ""
    return recusals
