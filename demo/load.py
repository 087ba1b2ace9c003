"""The demo round carried through review, selection and publication (driven by `manage.py load_demo`).

demo.build makes agencies, the round and the submitted cases; this module adds reviewers and the rubric,
assigns (reviews.services.assignment_generate), scores (review_submit), selects (selection_propose, checked
against the reference's 50) and publishes (round_publish). Each stage is a function.

Scores are planned so that the reference's selected cases lead their categories under the default (mean)
ranking with a clear gap below them: a case's three totals add up to a chosen sum, selected cases get
distinct sums of 252–282 (means 84–94), the others 150–244 (means 50–81.33). Around that sum each reviewer
scores with their own bias (some harsh, some lenient), so the normalised score reorders some cases; a few
cases get strongly disagreeing reviews (range above 25).
"""

import random
import time
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import connection, transaction

from govcases import services as case_services
from govcases.enums import Level, Phase
from govcases.models import Agency, Case, Category, Round
from govcases.permissions import REVIEWERS
from reviews import services
from reviews.models import (
    Assignment,
    Criterion,
    ReviewerProfile,
    SelectionDecision,
)

from . import build, evaluation, reference
from . import current as current_round
from .agencies import agency_specs
from .scores import comment_for, reviews_submit, rubric_load, score_plan, split_points

DEFAULT_SEED = 2024
DEFAULT_PASSWORD = "demo-pass-2024"

# name, institution or (agency official name), categories, bias, declared conflicts (official names)
REVIEWERS_SPEC = [
    ("周立新", "清华大学公共管理学院", "disclosure", "harsh", []),
    ("孙雅琴", "北京大学政府管理学院", "disclosure", "", ["北京市海淀区"]),
    ("李明远", "中国人民大学公共管理学院", "disclosure", "lenient", []),
    ("陈思远", "复旦大学国际关系与公共事务学院", "disclosure", "", []),
    ("王晓燕", "中国社会科学院政治学研究所", "disclosure", "", []),
    ("赵建文", "中共中央党校（国家行政学院）", "disclosure", "harsh", []),
    ("刘海波", "中国政法大学法治政府研究院", "disclosure", "", []),
    ("黄丽", "南京大学政府管理学院", "disclosure", "lenient", ["南京市"]),
    ("吴浩然", "武汉大学政治与公共管理学院", "disclosure", "", []),
    ("郑欣怡", ("上海市",), "disclosure", "", []),
    ("梁志刚", ("浙江省",), "disclosure", "", []),
    ("谢春", "国家信息中心", "disclosure", "", []),
    ("许建国", "中国信息通信研究院", "service", "harsh", []),
    ("韩静", "国务院发展研究中心", "service", "", []),
    ("冯宇", "浙江大学公共管理学院", "service", "lenient", []),
    ("邓玲", "中山大学政治与公共事务管理学院", "service", "", ["珠海市"]),
    ("曹磊", "电子科技大学公共管理学院", "service", "", []),
    ("彭晨", "西安交通大学公共政策与管理学院", "service", "harsh", ["西安市"]),
    ("曾敏", "华中科技大学公共管理学院", "service", "", []),
    ("肖杰", "中国电子信息产业发展研究院", "service", "lenient", []),
    ("田红梅", "中国标准化研究院", "service", "", []),
    ("董平", "北京航空航天大学公共管理学院", "service", "", []),
    ("袁涛", ("国家发展和改革委员会",), "service", "", []),
    ("潘文", ("成都市",), "service", "", []),
    ("蔡立新", ("杭州市",), "service", "harsh", []),
    ("蒋霞", "上海交通大学国际与公共事务学院", "service", "", []),
    ("余桂英", "北京师范大学政府管理学院", "interaction", "", []),
    ("杜强", "中国人民大学信息资源管理学院", "interaction", "harsh", []),
    ("叶芳", "四川大学公共管理学院", "interaction", "lenient", ["四川省"]),
    ("程军", "中国社会科学院信息化研究中心", "interaction", "", []),
    ("魏娜", "厦门大学公共事务学院", "interaction", "", []),
    ("苏勇", "吉林大学行政学院", "interaction", "", []),
    ("吕艳", ("广东省",), "interaction", "", []),
    ("丁明", ("深圳市",), "interaction", "lenient", []),
    ("任超", "山东大学政治学与公共管理学院", "interaction", "harsh", ["聊城市"]),
    ("沈怡", "中国传媒大学政府与公共事务学院", "interaction", "", []),
    ("王建文", "国家信息中心", "platform", "", []),
    ("李欣", "中国信息通信研究院", "platform", "harsh", []),
    ("张海波", "哈尔滨工业大学经济与管理学院", "platform", "", []),
    ("刘思远", "同济大学经济与管理学院", "platform", "lenient", []),
    ("陈立", ("贵州省",), "platform", "", []),
    ("杨晓", "中国科学院科技战略咨询研究院", "platform", "", []),
    ("黄宇", "国家工业信息安全发展研究中心", "platform", "", ["国家税务总局"]),
    ("赵敏", "中国电子技术标准化研究院", "platform", "", []),
    ("吴刚", "清华大学数据治理研究中心", "service platform", "", []),
    ("徐芳", "浙江大学计算机科学与技术学院", "service platform", "lenient", []),
    ("孙磊", ("福建省",), "service platform", "harsh", []),
    ("胡春", "中国行政管理学会", "service platform", "", []),
]
BIASES = {"harsh": -5.0, "lenient": 5.0, "": 0.0}

# The design's reviewers score 30 to 60 cases each: a round larger than the demo's has more reviewers
# (reviewer49, reviewer50, ...), not busier ones.
CASES_PER_REVIEWER = 50
MAX_LOAD = 60


@dataclass
class DemoResult:
    round: Round
    accounts: list[build.Account]
    cases: int
    reviews: int
    published: int
    stages: list[tuple[str, float, float]]


def reviewers_load(
    *,
    categories: list[Category],
    agencies: dict[str, Agency],
    hashed_password: str,
    total: int,
) -> dict[int, float]:
    """48 reviewers with profiles (affiliation, categories, declared conflicts), and for a round larger than
    the demo's as many more as it needs; returns each one's bias. The four who serve two panels do so at
    any size: the assignment balances loads across overlapping panels.
    """
    rows = [
        {"username": reviewer_username(number), "first_name": name, "is_staff": True}
        for number, (name, *_rest) in enumerate(REVIEWERS_SPEC, start=1)
    ]
    users = build.users_upsert(rows, hashed_password=hashed_password, group_name=REVIEWERS)
    by_code = {category.code: category for category in categories}
    biases = {}
    for row, (_name, affiliation, codes, bias, declared) in zip(rows, REVIEWERS_SPEC, strict=True):
        user = users[row["username"]]
        is_agency = isinstance(affiliation, tuple)
        profile, _created = ReviewerProfile.objects.update_or_create(
            user=user,
            defaults={
                "affiliation_agency": agencies[affiliation[0]] if is_agency else None,
                "institution": "" if is_agency else affiliation,
                "max_load": MAX_LOAD,
            },
        )
        profile.categories.set([by_code[code] for code in codes.split()])
        profile.declared_conflicts.set([agencies[name] for name in declared])
        biases[user.pk] = BIASES[bias]
    biases.update(_more_reviewers_load(total, by_code, hashed_password))
    return biases


def reviewer_username(number: int) -> str:
    return f"reviewer{number:02d}"


def more_reviewer_panels(total: int, reviews_per_case: int = 3) -> list[str]:
    """The category of each reviewer a round of `total` cases needs besides the 48, so that nobody scores
    more than CASES_PER_REVIEWER cases (none for the demo's 509). The 48 count in their first category only:
    those who serve several add room."""
    serving = Counter(codes.split()[0] for _name, _affiliation, codes, *_rest in REVIEWERS_SPEC)
    panels = []
    for code, count in build.category_counts(total).items():
        needed = -(-reviews_per_case * count // CASES_PER_REVIEWER)
        panels += [code] * max(0, needed - serving[code])
    return panels


def _more_reviewers_clear() -> None:
    """Removes the reviewers an earlier, larger demo round added (a smaller round must not use them)."""
    spec = [reviewer_username(number) for number in range(1, len(REVIEWERS_SPEC) + 1)]
    User.objects.filter(username__regex=r"^reviewer[0-9]+$").exclude(username__in=spec).delete()


def _more_reviewers_load(total: int, by_code: dict[str, Category], hashed_password: str) -> dict[int, float]:
    panels = more_reviewer_panels(total)
    first = len(REVIEWERS_SPEC) + 1
    rows = [
        {"username": reviewer_username(number), "first_name": f"评审专家{number}", "is_staff": True}
        for number in range(first, first + len(panels))
    ]
    users = build.users_upsert(rows, hashed_password=hashed_password, group_name=REVIEWERS)
    profiles = ReviewerProfile.objects.bulk_create(
        ReviewerProfile(user=users[row["username"]], institution="国家政务服务评审专家库", max_load=MAX_LOAD)
        for row in rows
    )
    ReviewerProfile.categories.through.objects.bulk_create(
        ReviewerProfile.categories.through(reviewerprofile_id=profile.pk, category_id=by_code[code].pk)
        for profile, code in zip(profiles, panels, strict=True)
    )
    # Harsh, even, lenient and even again, so that normalisation has something to correct at any size.
    pattern = [BIASES["harsh"], BIASES[""], BIASES["lenient"], BIASES[""]]
    return {profile.user_id: pattern[index % len(pattern)] for index, profile in enumerate(profiles)}


def reviews_bulk_submit(*, round: Round, planned: dict[int, int], rng: random.Random) -> int:
    """For a large round: the same reviews as review_submit would leave, through its bulk path."""
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(round=round).order_by("category_id", "position"):
        criteria.setdefault(criterion.category_id, []).append(criterion)
    sheets = []
    for pk, category_id in (
        Assignment.objects.filter(case__round=round, pk__in=planned)
        .order_by("pk")
        .values_list("pk", "case__category_id")
    ):
        rubric = criteria[category_id]
        points = split_points(planned[pk], [criterion.max_points for criterion in rubric], rng)
        sheets.append(
            services.ReviewSheet(
                assignment_id=pk,
                points={criterion.pk: value for criterion, value in zip(rubric, points, strict=True)},
                comment=comment_for(planned[pk]),
            )
        )
    return services.review_bulk_submit(sheets=sheets)


def selection_make(*, round: Round, organiser: User, selected_ids: set[int]) -> None:
    """Proposes by rank (the planned scores put the reference's 50 on top) and corrects any difference."""
    services.selection_propose(round=round, by=organiser)
    staged = set(
        SelectionDecision.objects.filter(case__round=round, selected=True).values_list("case_id", flat=True)
    )
    for case in Case.objects.filter(pk__in=staged - selected_ids):
        services.selection_decide(case=case, selected=False, by=organiser)
    for case in Case.objects.filter(pk__in=selected_ids - staged):
        services.selection_decide(
            case=case, selected=True, by=organiser, reason="参照2024年公布的优秀创新案例名单"
        )


class Stopwatch:
    """Wall-clock and CPU seconds per stage, for `load_demo -v 2` and the benchmark."""

    def __init__(self):
        self.stages: list[tuple[str, float, float]] = []
        self._mark = (time.perf_counter(), time.process_time())

    def lap(self, stage: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.stages.append((stage, wall - self._mark[0], cpu - self._mark[1]))
        self._mark = (wall, cpu)


def demo_load(
    *,
    password: str = DEFAULT_PASSWORD,
    cases: int | None = None,
    seed: int = DEFAULT_SEED,
    bulk: bool | None = None,
    publish: bool = True,
    current: str | None = None,
) -> DemoResult:
    """Rebuilds the 2024 demo round from scratch (an existing 2024 round is deleted first), and with
    `current` (a phase) the 2025 round in that phase (demo.current).

    `bulk` writes cases and reviews in bulk instead of through the services; by default only rounds larger
    than build.SERVICE_LIMIT are. Without `publish` the round is left in selection with its decisions staged
    (the benchmark of publication starts there).
    """
    rng = random.Random(seed)
    total = cases or reference.recommended()
    watch = Stopwatch()
    hashed = build.password_hash(password)
    with transaction.atomic():
        evaluation.evaluation_clear(build.YEAR)
        build.round_clear(current_round.YEAR)
        build.round_clear()
        _more_reviewers_clear()
        watch.lap("clear the earlier demo rounds")
        agencies = build.agencies_load()
        categories = build.categories_load()
        organisers = build.organisers_load(hashed)
        organiser = organisers[0]
        round = build.round_create(organiser=organiser, categories=categories)
        rubric_load(round, categories)
        if bulk is None:
            bulk = total > build.SERVICE_LIMIT
        biases = reviewers_load(categories=categories, agencies=agencies, hashed_password=hashed, total=total)
        plan = build.case_plan(agencies=agencies, categories=categories, total=total, rng=rng)
        officers = build.officers_load(build.submitting_agencies(plan), hashed)
        watch.lap("agencies, round, rubric, accounts")
        if bulk:
            made = build.cases_bulk_create(round=round, plan=plan, officers=officers, rng=rng, seed=seed)
        else:
            made = build.cases_submit(round=round, plan=plan, officers=officers, rng=rng, seed=seed)
        selected_ids = {case.pk for case, planned in made if planned.selected}
        watch.lap("cases drafted, pictured and submitted")

        round = case_services.round_phase_set(
            round=round, to=Phase.REVIEW, by=organiser, override=True, reason="演示：重现2024年的评选"
        )
        watch.lap("review phase (cases in review)")
        report = services.assignment_generate(round=round, by=organiser)
        if report.unfilled:
            raise RuntimeError(
                f"the demo's panels left {len(report.unfilled)} cases without enough reviewers"
            )
        watch.lap("assignment")
        planned = score_plan(round=round, selected_ids=selected_ids, biases=biases, rng=rng)
        submit = reviews_bulk_submit if bulk else reviews_submit
        reviews = submit(round=round, planned=planned, rng=rng)
        watch.lap("reviews submitted")

        round = case_services.round_phase_set(
            round=round, to=Phase.SELECTION, by=organiser, override=True, reason="演示：重现2024年的评选"
        )
        selection_make(round=round, organiser=organiser, selected_ids=selected_ids)
        watch.lap("selection")
        publication = services.round_publish(round=round, by=organiser) if publish else None
        round.refresh_from_db()
        watch.lap("publication")
        _statistics_refresh()
        if publish:
            # The year's evaluation of the 685 agencies, its 优秀创新案例 read from the selection just published.
            evaluator = evaluation.evaluator_account(hashed_password=hashed)
            evaluation.evaluation_demo_load(
                facts=reference.reference(), organiser=organiser, evaluator=evaluator, seed=seed
            )
            watch.lap("evaluation scored, computed and published")

        accounts = accounts_table(organisers=organisers, made=made, officers=officers)
        if current:
            this_year = current_round.current_round_load(
                phase=current,
                agencies=sorted(
                    {planned.agency.pk: planned.agency for _case, planned in made}.values(),
                    key=lambda a: a.pk,
                ),
                categories=categories,
                officers=officers,
                organiser=organiser,
                biases=biases,
                seed=seed,
            )
            accounts = this_year.accounts + accounts
            watch.lap(f"the {this_year.round.year} round, in {this_year.round.get_phase_display()}")

    return DemoResult(
        round=round,
        accounts=accounts,
        cases=len(made),
        reviews=reviews,
        published=publication.cases.count() if publication else 0,
        stages=watch.stages,
    )


def _statistics_refresh() -> None:
    """On PostgreSQL, statistics of the rows the demo just wrote: its transaction is long, autovacuum cannot see
    them, and the planner, taking the tables for empty, chose plans that ran for minutes."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def demo_remove() -> None:
    """Deletes everything load_demo makes: the round, the demo accounts, agencies and categories."""
    with transaction.atomic():
        evaluation.evaluation_clear(build.YEAR)
        build.round_clear()
        build.round_clear(current_round.YEAR)
        _more_reviewers_clear()
        usernames = [
            evaluation.EVALUATOR_USERNAME,
            *build.ORGANISER_USERNAMES,
            *(reviewer_username(number) for number in range(1, len(REVIEWERS_SPEC) + 1)),
        ]
        agencies = Agency.objects.filter(name__in=[spec.name for spec in agency_specs()])
        usernames += [build.officer_username(agency) for agency in agencies]
        User.objects.filter(username__in=usernames).delete()
        # Children first: an agency's parent is protected while it has children.
        for level in reversed(Level.values):
            agencies.filter(level=level, parent__isnull=False).delete()
        agencies.delete()
        Category.objects.filter(code__in=[row["code"] for row in reference.categories()]).delete()


def accounts_table(*, organisers, made, officers) -> list[build.Account]:
    accounts = [
        build.Account("organiser", user.username, "/admin/: ranking, selection board, publication")
        for user in organisers
    ]
    named = [reviewer_username(number) for number in range(1, len(REVIEWERS_SPEC) + 1)]
    reviewers = ReviewerProfile.objects.select_related("user", "affiliation_agency").order_by(
        "user__username"
    )
    for profile in reviewers.filter(user__username__in=named):
        where = profile.affiliation
        accounts.append(build.Account("reviewer", profile.user.username, f"/review/: {profile} ({where})"))
    more = (
        reviewers.filter(user__username__regex=r"^reviewer[0-9]+$").exclude(user__username__in=named).count()
    )
    if more:
        span = f"{reviewer_username(len(named) + 1)}…{reviewer_username(len(named) + more)}"
        accounts.append(build.Account("reviewer", span, f"/review/: {more} more reviewers for a large round"))
    if User.objects.filter(username=evaluation.EVALUATOR_USERNAME).exists():
        accounts.append(
            build.Account(
                "evaluator",
                evaluation.EVALUATOR_USERNAME,
                "/evaluate/: the 2024 evaluation (published at /evaluation/2024/)",
            )
        )
    shown = set()
    for _case, planned in made:
        if planned.selected and planned.agency.pk not in shown:
            shown.add(planned.agency.pk)
            user = officers[planned.agency.pk]
            accounts.append(
                build.Account(
                    "agency", user.username, f"/portal/: {planned.agency.display_name}, selected case"
                )
            )
    return accounts
