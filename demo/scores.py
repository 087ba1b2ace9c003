"""The scores the demo's reviewers give: the rubric, the planned totals and their split over the criteria.

Scores are planned so that the reference's selected cases lead their categories under the default (mean)
ranking with a clear gap below them; around that sum each reviewer scores with their own bias, and a few
cases get strongly disagreeing reviews (range above 25), which the boards flag.
"""

import random
import statistics

from govcases.models import Case, Category, Round
from reviews import services
from reviews.models import Assignment, Criterion

RUBRIC = [
    (
        "创新性",
        30,
        {
            "disclosure": "高分：公开和解读的方式有明显突破（如政策精准推送、可视化、数字人解读），在同类做法中领先；低分：沿用常规栏目和文字发布。",
            "service": "高分：以数据共享和流程再造重塑办事方式，创造了新的服务模式；低分：只是把线下流程搬到网上。",
            "interaction": "高分：互动回应机制有制度和技术创新，形成诉求驱动治理的闭环；低分：仅开设留言栏目，回应方式常规。",
            "platform": "高分：架构、数据治理或安全运营有原创性设计，技术路线先进；低分：采购通用产品，缺少自主设计。",
        },
    ),
    (
        "实效性",
        30,
        {
            "disclosure": "高分：公开覆盖面、解读阅读量和政策兑现效果有可核验的数据支撑；低分：成效只有定性描述。",
            "service": "高分：办理时限、跑动次数、材料数量等指标明显改善且数据可核验；低分：缺少前后对比数据。",
            "interaction": "高分：响应率、解决率、满意率等指标明显提升，群众评价可查；低分：只有受理数量，没有办理效果。",
            "platform": "高分：支撑的业务系统和调用量大，降本增效有量化证据；低分：平台建成但使用不多。",
        },
    ),
    (
        "示范推广价值",
        20,
        {
            "disclosure": "高分：做法标准化、可复制，已被其他地区或部门借鉴；低分：依赖本地特殊条件，难以推广。",
            "service": "高分：服务模式可在全国同类事项中复制推广；低分：适用范围窄，推广价值有限。",
            "interaction": "高分：机制设计可供其他地方直接借鉴；低分：依赖个别领导推动，难以持续。",
            "platform": "高分：形成技术规范或共性能力，可供其他地区复用；低分：定制化程度高，难以复用。",
        },
    ),
    (
        "规范性与完整性",
        20,
        {
            "disclosure": "高分：材料齐全、结构清晰，政策依据和数据来源明确，图片清楚；低分：材料缺项或表述含糊。",
            "service": "高分：材料齐全，服务链接可访问，流程说明和截图完整；低分：链接失效或关键内容缺失。",
            "interaction": "高分：材料完整，办理规范和数据口径清楚；低分：材料零散，数据来源不明。",
            "platform": "高分：材料完整，架构说明、安全措施和运行数据清楚；低分：技术描述空泛。",
        },
    ),
]

COMMENTS = [
    (88, "创新特色突出，成效数据翔实可信，具有很强的示范推广价值，建议重点推荐。"),
    (80, "做法有新意，成效明显，材料规范，建议推荐。"),
    (70, "工作扎实，取得一定成效，但创新性和可推广性有待进一步提炼。"),
    (60, "案例较为常规，成效数据不够充分，建议补充前后对比。"),
    (0, "材料不够完整，创新点不突出，成效缺少量化支撑。"),
]


def rubric_load(round: Round, categories: list[Category]) -> None:
    Criterion.objects.bulk_create(
        Criterion(
            round=round,
            category=category,
            name=name,
            max_points=points,
            description=descriptions[category.code],
            position=position,
        )
        for category in categories
        for position, (name, points, descriptions) in enumerate(RUBRIC)
    )


def _totals(target_sum: int, deviations: list[float]) -> list[int]:
    """Integer totals within 0–100 around target_sum / n with the given deviations, adding up to target_sum."""
    centre = statistics.fmean(deviations)
    base = target_sum / len(deviations)
    totals = [max(0, min(100, round(base + deviation - centre))) for deviation in deviations]
    step = 1 if sum(totals) < target_sum else -1
    index = 0
    while sum(totals) != target_sum:
        candidate = totals[index % len(totals)] + step
        if 0 <= candidate <= 100:
            totals[index % len(totals)] = candidate
        index += 1
    return totals


def split_points(total: int, maxima: list[int], rng: random.Random) -> list[int]:
    """A total spread over criteria roughly in proportion to their maxima, each within its maximum."""
    points = [max(0, min(top, round(total * top / 100 + rng.uniform(-1.5, 1.5)))) for top in maxima]
    index = rng.randrange(len(maxima))
    while sum(points) != total:
        step = 1 if sum(points) < total else -1
        position = index % len(maxima)
        if 0 <= points[position] + step <= maxima[position]:
            points[position] += step
        index += 1
    return points


def score_plan(
    *, round: Round, selected_ids: set[int], biases: dict[int, float], rng: random.Random
) -> dict[int, int]:
    """The total each assignment's review will give, keyed by assignment id."""
    assignments: dict[int, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(case__round=round).order_by("case_id", "reviewer_id"):
        assignments.setdefault(assignment.case_id, []).append(assignment)
    cases = list(Case.objects.filter(pk__in=assignments).order_by("pk").values_list("pk", "category_id"))
    sums: dict[int, int] = {}
    for category_id in sorted({category_id for _pk, category_id in cases}):
        in_category = [pk for pk, category in cases if category == category_id]
        chosen = [pk for pk in in_category if pk in selected_ids]
        for pk, value in zip(chosen, rng.sample(range(252, 283), len(chosen)), strict=True):
            sums[pk] = value
        for pk in in_category:
            if pk not in selected_ids:
                sums[pk] = rng.randint(150, 244)
    others = sorted(pk for pk in sums if pk not in selected_ids)
    disputed = set(rng.sample(others, min(6, len(others))))
    if selected_ids:
        # One selected case the reviewers disagree on, so that the board flags a case above the cut line.
        flagged = min(selected_ids)
        sums[flagged] = 255
        disputed.add(flagged)
    planned = {}
    for case_id, rows in assignments.items():
        if case_id in disputed and len(rows) == 3:
            deviations = [13.0, -14.0, 1.0]
            rng.shuffle(deviations)
        else:
            deviations = [biases.get(row.reviewer_id, 0.0) + rng.gauss(0, 2.5) for row in rows]
        for row, total in zip(rows, _totals(sums[case_id], deviations), strict=True):
            planned[row.pk] = total
    return planned


def comment_for(total: int) -> str:
    return next(text for floor, text in COMMENTS if total >= floor)


def reviews_submit(*, round: Round, planned: dict[int, int], rng: random.Random) -> int:
    criteria: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(round=round).order_by("category_id", "position"):
        criteria.setdefault(criterion.category_id, []).append(criterion)
    assignments = Assignment.objects.filter(pk__in=planned).select_related("reviewer", "case").order_by("pk")
    count = 0
    for assignment in assignments:
        rubric = criteria[assignment.case.category_id]
        total = planned[assignment.pk]
        points = split_points(total, [criterion.max_points for criterion in rubric], rng)
        services.review_submit(
            assignment=assignment,
            by=assignment.reviewer,
            points={criterion.pk: value for criterion, value in zip(rubric, points, strict=True)},
            comment=comment_for(total),
        )
        count += 1
    return count
