"""The demo's evaluation of a year, built so that its publication reproduces the report's facts.

`evaluation_demo_load(facts=…)` takes the facts as the project's reference file holds them (rankings per group
with their ties, tier counts per tier group, the index, the number surveyed) and the agencies already in the
database (the case demo loads them). It plans a total for every agency that yields exactly those rankings,
tiers and index, then finds indicator points that give each total (the 优秀创新案例 dimension comes from the
year's published case selection, whatever it holds), enters them through the services as an evaluator,
computes and publishes. Agencies tied in the report differ only beyond the second decimal, in the order the
report lists them.

Needs only the evaluation app and govcases' models; demo.load calls it after the case selection's publication.
"""

import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.db import transaction

from evaluation import scoring, selectors, services
from evaluation.enums import RANKING_GROUPS, TIER_GROUPS, DimensionSource, TierRule
from evaluation.models import (
    Dimension,
    Evaluation,
    EvaluationPublication,
    Indicator,
    RankingGroupRule,
    SurveyedAgency,
    TierGroupRule,
)
from evaluation.permissions import EVALUATORS
from govcases.enums import Level
from govcases.models import Agency

EVALUATOR_USERNAME = "evaluator"
NOT_MINISTRIES = [level for level in Level.values if level != Level.MINISTRY]

# (code, name, English name, weight, source, [(code, name, English name, maximum, levels, points per case)])
SYSTEM = [
    (
        "disclosure",
        "公开解读",
        "Disclosure and interpretation",
        "25",
        DimensionSource.ENTERED,
        [
            ("disclosure-policy", "政策文件公开", "Policy documents published", "30", [], None),
            ("disclosure-interpretation", "政策解读", "Policy interpretation", "40", [], None),
            ("disclosure-data", "数据开放", "Open data", "30", [], None),
        ],
    ),
    (
        "service",
        "在线服务",
        "Online services",
        "30",
        DimensionSource.ENTERED,
        [
            ("service-online", "事项网上可办", "Matters handled online", "40", [], None),
            ("service-experience", "办事体验", "Service experience", "30", [], None),
            ("service-mobile", "移动服务", "Mobile services", "30", [], None),
        ],
    ),
    (
        "interaction",
        "互动交流",
        "Interaction",
        "20",
        DimensionSource.ENTERED,
        [
            ("interaction-response", "留言办理", "Answers to messages", "50", [], None),
            ("interaction-consultation", "意见征集", "Public consultation", "50", [], None),
        ],
    ),
    (
        "platform",
        "平台支撑",
        "Platform support",
        "20",
        DimensionSource.ENTERED,
        [
            ("platform-intensive", "集约化建设", "Consolidated platforms", "40", NOT_MINISTRIES, None),
            ("platform-security", "安全保障", "Security", "30", [], None),
            ("platform-accessibility", "适老化与无障碍", "Accessibility", "30", [], None),
        ],
    ),
    (
        "innovation",
        "优秀创新案例",
        "Outstanding innovation cases",
        "5",
        DimensionSource.SELECTED_CASES,
        [("innovation-cases", "入选优秀创新案例", "Cases selected", "100", [], "50")],
    ),
]
# Ministries without public-facing services of their own: the two service indicators do not apply.
WITHOUT_PUBLIC_SERVICES = ["审计署", "国家国防科技工业局"]
NO_PUBLIC_SERVICE_INDICATORS = ["service-online", "service-experience"]

# Where the planned totals of the agencies the report does not name fall (in cents): below their group's
# listed agencies, distinct from every other total of their tier group.
FREE_RANGES = {
    "ministries": (6800, 8500),
    "provincial": (7600, 8700),
    "cities": (6400, 9000),
    "districts": (6000, 9000),
}
# The lowest district totals take up what the index needs.
SINK_RANGE = (4000, 7400)


def system_create(evaluation: Evaluation) -> None:
    exempt = list(Agency.objects.filter(name__in=WITHOUT_PUBLIC_SERVICES))
    for position, (code, name, name_en, weight, source, indicators) in enumerate(SYSTEM):
        dimension = Dimension.objects.create(
            evaluation=evaluation,
            code=code,
            name=name,
            name_en=name_en,
            weight=Decimal(weight),
            source=source,
            position=position,
        )
        for place, (i_code, i_name, i_name_en, maximum, levels, per_case) in enumerate(indicators):
            indicator = Indicator.objects.create(
                dimension=dimension,
                code=i_code,
                name=i_name,
                name_en=i_name_en,
                max_points=Decimal(maximum),
                levels=levels,
                points_per_case=Decimal(per_case) if per_case else None,
                position=place,
            )
            if i_code in NO_PUBLIC_SERVICE_INDICATORS:
                indicator.exempt_agencies.set(exempt)


def _top_size(entries: list[dict]) -> int:
    return max(entry["rank"] + len(entry["agencies"]) - 1 for entry in entries) if entries else 0


@dataclass
class Target:
    cents: int
    low: Decimal  # the window the unrounded total must fall in
    high: Decimal


def _window(cents: int, place: int = 0, tied: int = 1) -> Target:
    """The unrounded totals that publish as `cents`; agencies tied at it get slices, the first the highest."""
    centre = Decimal(cents) / 100
    width = Decimal("0.009") / tied
    high = centre + Decimal("0.0045") - width * place
    return Target(cents, high - width + Decimal("0.0003"), high - Decimal("0.0003"))


def _listed_totals(facts: dict, by_name: dict, rng: random.Random) -> dict[int, Target]:
    """Totals for the agencies the report ranks: descending, tied agencies equal at two decimals."""
    starts = {
        "ministry": 9345,
        "province": 9410,
        "municipality": 9320,
        "separately_listed_city": 9150,
        "provincial_capital": 9260,
    }
    targets = {}
    for group in RANKING_GROUPS:
        cents = starts[group.code]
        for entry in facts["rankings"].get(group.code, []):
            for place, name in enumerate(entry["agencies"]):
                targets[by_name[group.code][name].pk] = _window(cents, place, len(entry["agencies"]))
            cents -= rng.randint(45, 70)
    return targets


def plan_totals(*, facts: dict, surveyed: list[SurveyedAgency], seed: int) -> dict[int, Target]:
    """A total for every surveyed agency (by surveyed id) that gives the facts' rankings, tiers and index."""
    rng = random.Random(seed)
    by_name: dict[str, dict[str, SurveyedAgency]] = {}
    for group in RANKING_GROUPS:
        by_name[group.code] = {s.published_name: s for s in surveyed if s.agency.level in group.levels}
    targets = _listed_totals(facts, by_name, rng)
    lowest_listed = {
        group.code: min(
            (targets[s.pk].cents for s in by_name[group.code].values() if s.pk in targets), default=10000
        )
        for group in RANKING_GROUPS
    }
    counts = {row["group"]: (row["优秀"], row["良好"]) for row in facts["tiers"]["groups"]}
    sinks, floor = [], 0
    for group in TIER_GROUPS:
        members = [s for s in surveyed if s.agency.level in group.levels]
        used = {targets[s.pk].cents for s in members if s.pk in targets}
        low, high = FREE_RANGES[group.code]
        for member in members:
            if member.pk in targets:
                continue
            cap = high
            for ranking in RANKING_GROUPS:
                if member.agency.level in ranking.levels:
                    cap = min(cap, lowest_listed[ranking.code] - 10)
            cents = rng.randint(low, cap)
            while cents in used:
                cents = rng.randint(low, cap)
            used.add(cents)
            targets[member.pk] = _window(cents)
        excellent, good = counts[group.name]
        ordered = sorted((targets[s.pk].cents for s in members), reverse=True)
        for boundary in (excellent, excellent + good):
            if boundary < len(ordered) and ordered[boundary - 1] == ordered[boundary]:
                raise ValueError(f"{group.code}: a tie straddles place {boundary}")
        if group.code == "districts":
            floor = ordered[excellent + good - 1]
            sinks = [s for s in members if targets[s.pk].cents < floor]
    _take_up_the_index(facts, targets, sinks, floor, rng)
    return targets


def _take_up_the_index(
    facts: dict, targets: dict[int, Target], sinks: list, floor: int, rng: random.Random
) -> None:
    """Sets the lowest districts' totals (below `floor`, the last of their good tier) so that the mean of all
    totals is the index, to the cent."""
    sink_ids = {surveyed.pk for surveyed in sinks}
    wanted = int(Decimal(str(facts["development_index"])) * 100) * len(targets)
    needed = wanted - sum(target.cents for key, target in targets.items() if key not in sink_ids)
    values = sorted(rng.sample(range(*SINK_RANGE), len(sinks)), reverse=True)
    shift, remainder = divmod(needed - sum(values), len(values))
    # Adding one cent to the highest values keeps them distinct.
    values = [value + shift + (1 if index < remainder else 0) for index, value in enumerate(values)]
    if values[0] >= floor or values[-1] < 0:
        raise ValueError("the index cannot be reached with these ranges")
    for surveyed, value in zip(sinks, values, strict=True):
        targets[surveyed.pk] = _window(value)


def _specs(dimensions: list[Dimension]):
    return (
        [scoring.Dimension(d.code, d.weight) for d in dimensions],
        [scoring.Indicator(i.code, d.code, i.max_points) for d in dimensions for i in d.indicators.all()],
    )


def points_for(
    *,
    target: Target,
    surveyed: SurveyedAgency,
    dimensions: list[Dimension],
    fixed: dict[str, Decimal],
    rng: random.Random,
) -> dict[str, Decimal]:
    """Entered points (two decimals) that, with the `fixed` points, give a total inside the target's window."""
    dimension_specs, indicator_specs = _specs(dimensions)
    applicable = {i.code for d in dimensions for i in d.indicators.all() if selectors.applies(i, surveyed)}
    entered = [
        i
        for d in dimensions
        if d.source == DimensionSource.ENTERED
        for i in d.indicators.all()
        if i.code in applicable
    ]

    def total(points):
        percentages = scoring.dimension_percentages(
            indicators=indicator_specs, points=points, applicable=applicable
        )
        return scoring.exact_total(dimensions=dimension_specs, percentages=percentages)

    fraction = Decimal(target.cents) / 10000
    points = dict(fixed)
    for indicator in entered:
        share = min(max(fraction + Decimal(rng.uniform(-0.06, 0.06)), Decimal(0)), Decimal(1))
        points[indicator.code] = scoring.two_decimals(share * indicator.max_points)
    # How much one point of each indicator moves the total, measured: coarse ones first, the finest last.
    base = total(points)
    effect = {}
    for indicator in entered:
        moved = dict(points, **{indicator.code: points[indicator.code] + 1})
        effect[indicator.code] = total(moved) - base
    order = sorted(entered, key=lambda i: effect[i.code], reverse=True)
    aim = (target.low + target.high) / 2
    for _attempt in range(6):
        for indicator in order:
            current = total(points)
            if target.low <= current <= target.high:
                return points
            step = scoring.two_decimals((aim - current) / effect[indicator.code])
            points[indicator.code] = min(max(points[indicator.code] + step, Decimal(0)), indicator.max_points)
    current = total(points)
    if not target.low <= current <= target.high:
        raise ValueError(f"no points found for {surveyed} to total {target.cents / 100}")
    return points


def evaluator_account(*, hashed_password: str) -> User:
    user, _created = User.objects.update_or_create(
        username=EVALUATOR_USERNAME,
        defaults={
            "password": hashed_password,
            "email": f"{EVALUATOR_USERNAME}@example.com",
            "is_active": True,
        },
    )
    Group.objects.get_or_create(name=EVALUATORS)[0].user_set.add(user)
    return user


def evaluation_clear(year: int) -> None:
    evaluation = Evaluation.objects.filter(year=year).first()
    if evaluation is not None:
        EvaluationPublication.objects.filter(evaluation=evaluation).delete()
        evaluation.delete()


def _websites(agencies: list[Agency]) -> dict[int, str]:
    # Reserved example addresses: the demo's agencies are real places whose real sites it must not invent.
    return {agency.pk: f"https://www-{agency.pk}.gov.example/" for agency in agencies}


def evaluation_demo_load(
    *,
    facts: dict,
    organiser: AbstractBaseUser | None,
    evaluator: AbstractBaseUser | None,
    seed: int = 2024,
) -> EvaluationPublication:
    """Builds, scores, computes and publishes the facts' year (an existing evaluation of it is replaced)."""
    year = facts["year"]
    rng = random.Random(seed)
    with transaction.atomic():
        evaluation_clear(year)
        evaluation = Evaluation.objects.create(
            year=year, title=f"{year}年网上政府发展指数评估", tier_rule=TierRule.COUNTS
        )
        system_create(evaluation)
        RankingGroupRule.objects.bulk_create(
            RankingGroupRule(
                evaluation=evaluation, group=g.code, top_size=_top_size(facts["rankings"][g.code])
            )
            for g in RANKING_GROUPS
        )
        counts = {row["group"]: (row["优秀"], row["良好"]) for row in facts["tiers"]["groups"]}
        TierGroupRule.objects.bulk_create(
            TierGroupRule(
                evaluation=evaluation,
                group=g.code,
                excellent_count=counts[g.name][0],
                good_count=counts[g.name][1],
            )
            for g in TIER_GROUPS
        )
        agencies = list(Agency.objects.order_by("pk"))
        if len(agencies) != facts["surveyed_governments"]:
            raise ValueError(f"{len(agencies)} agencies, the facts survey {facts['surveyed_governments']}")
        services.surveyed_add(
            evaluation=evaluation, agencies=agencies, by=organiser, websites=_websites(agencies)
        )
        surveyed = list(evaluation.surveyed.select_related("agency").order_by("agency__pk"))
        targets = plan_totals(facts=facts, surveyed=surveyed, seed=seed)
        dimensions = selectors.indicator_system(evaluation=evaluation)
        cases = selectors.selected_cases(year=year)
        by_code = {i.code: i for d in dimensions for i in d.indicators.all()}
        values = []
        for agency in surveyed:
            fixed = {
                i.code: scoring.selected_cases_points(
                    cases=len(cases.get(agency.agency_id, [])),
                    points_per_case=i.points_per_case,
                    max_points=i.max_points,
                )
                for d in dimensions
                if d.source == DimensionSource.SELECTED_CASES
                for i in d.indicators.all()
            }
            points = points_for(
                target=targets[agency.pk], surveyed=agency, dimensions=dimensions, fixed=fixed, rng=rng
            )
            values += [
                services.ScoreValue(agency, by_code[code], value)
                for code, value in points.items()
                if code not in fixed
            ]
        services.scores_save(evaluation=evaluation, values=values, submit=True, by=evaluator)
        evaluation = services.evaluation_compute(evaluation=evaluation, by=organiser)
        return services.evaluation_publish(evaluation=evaluation, by=organiser)
