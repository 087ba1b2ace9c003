"""Reads for the evaluation's pages and for its computation: a year's system, scores and results.

`evaluation_results` turns a year's scores into totals, ranks, tiers and the index with the pure functions of
evaluation.scoring; the publication freezes what it returns.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Prefetch
from django.http import Http404

from govcases.models import Publication, PublishedCase

from . import scoring
from .enums import RANKING_GROUPS, TIER_GROUPS, DimensionSource, EvaluationStatus, ScoreStatus, TierRule
from .models import (
    Dimension,
    Evaluation,
    EvaluationPublication,
    Indicator,
    PublishedResult,
    Score,
    SurveyedAgency,
)


def evaluation_get(*, year: int) -> Evaluation:
    evaluation = Evaluation.objects.filter(year=year).first()
    if evaluation is None:
        raise Http404("No evaluation")
    return evaluation


def indicator_system(*, evaluation: Evaluation) -> list[Dimension]:
    """The year's dimensions with their indicators (and each indicator's exempt agency ids) prefetched."""
    indicators = Indicator.objects.order_by("position", "pk").prefetch_related("exempt_agencies")
    dimensions = list(
        evaluation.dimensions.order_by("position", "pk").prefetch_related(
            Prefetch("indicators", queryset=indicators)
        )
    )
    for dimension in dimensions:
        for indicator in dimension.indicators.all():
            indicator.exempt_ids = frozenset(agency.pk for agency in indicator.exempt_agencies.all())
    return dimensions


def applies(indicator: Indicator, surveyed: SurveyedAgency) -> bool:
    """Whether the indicator counts for the agency (its level, and no exemption). indicator_system's indicators
    carry their exemptions; any other is asked (a query)."""
    exempt = getattr(indicator, "exempt_ids", None)
    if exempt is None:
        exempt = indicator.exempt_ids = frozenset(indicator.exempt_agencies.values_list("pk", flat=True))
    return indicator.applies_to_level(surveyed.agency.level) and surveyed.agency_id not in exempt


def selected_cases(*, year: int) -> dict[int, list[dict]]:
    """Each agency's cases in the latest published case selection of the year: the 优秀创新案例 dimension."""
    publication = Publication.objects.filter(round__year=year).order_by("-version").first()
    if publication is None:
        return {}
    by_agency: dict[int, list[dict]] = defaultdict(list)
    rows = (
        PublishedCase.objects.filter(publication=publication)
        .order_by("category__position", "pk")
        .values_list("case__agency_id", "case_id", "title", "category__name")
    )
    for agency_id, case_id, title, category in rows:
        by_agency[agency_id].append({"id": case_id, "title": title, "category": category})
    return dict(by_agency)


def outstanding_scores(*, evaluation: Evaluation) -> int:
    """How many entered scores that apply are missing or still drafts: what computing would treat as 0."""
    dimensions = indicator_system(evaluation=evaluation)
    entered = [
        indicator
        for dimension in dimensions
        if dimension.source == DimensionSource.ENTERED
        for indicator in dimension.indicators.all()
    ]
    submitted = set(
        Score.objects.filter(surveyed__evaluation=evaluation, status=ScoreStatus.SUBMITTED).values_list(
            "surveyed_id", "indicator_id"
        )
    )
    surveyed = evaluation.surveyed.select_related("agency")
    return sum(
        1
        for agency in surveyed
        for indicator in entered
        if applies(indicator, agency) and (agency.pk, indicator.pk) not in submitted
    )


@dataclass
class AgencyOutcome:
    surveyed: SurveyedAgency
    exact_total: Decimal
    total: Decimal
    dimensions: list[dict]
    cases: list[dict]
    groups: list[dict] = field(default_factory=list)


@dataclass
class Results:
    data: dict
    outcomes: list[AgencyOutcome]


def _outcome(surveyed, dimensions, points, cases) -> AgencyOutcome | None:
    applicable = set()
    specs = []
    shown = []
    for dimension in dimensions:
        rows = []
        for indicator in dimension.indicators.all():
            specs.append(scoring.Indicator(indicator.code, dimension.code, indicator.max_points))
            if not applies(indicator, surveyed):
                continue
            applicable.add(indicator.code)
            rows.append(
                {
                    "code": indicator.code,
                    "name": indicator.name,
                    "name_en": indicator.name_en,
                    "points": str(points.get(indicator.code, Decimal(0))),
                    "max_points": str(indicator.max_points),
                }
            )
        shown.append((dimension, rows))
    percentages = scoring.dimension_percentages(indicators=specs, points=points, applicable=applicable)
    exact = scoring.exact_total(
        dimensions=[scoring.Dimension(d.code, d.weight) for d in dimensions], percentages=percentages
    )
    if exact is None:
        return None
    return AgencyOutcome(
        surveyed=surveyed,
        exact_total=exact,
        total=scoring.two_decimals(exact),
        dimensions=[
            {
                "code": dimension.code,
                "name": dimension.name,
                "name_en": dimension.name_en,
                "weight": str(dimension.weight),
                "percent": str(scoring.two_decimals(percentages[dimension.code])),
                "indicators": rows,
            }
            for dimension, rows in shown
            if dimension.code in percentages
        ],
        cases=cases,
    )


def _points(evaluation: Evaluation, dimensions: list[Dimension], cases: dict[int, list]) -> dict[int, dict]:
    """Points by surveyed agency and indicator code: entered scores, and the selected cases' points."""
    points: dict[int, dict] = defaultdict(dict)
    for surveyed_id, code, value in Score.objects.filter(surveyed__evaluation=evaluation).values_list(
        "surveyed_id", "indicator__code", "points"
    ):
        points[surveyed_id][code] = value
    from_cases = [
        indicator
        for dimension in dimensions
        if dimension.source == DimensionSource.SELECTED_CASES
        for indicator in dimension.indicators.all()
    ]
    for surveyed_id, agency_id in evaluation.surveyed.values_list("pk", "agency_id"):
        for indicator in from_cases:
            points[surveyed_id][indicator.code] = scoring.selected_cases_points(
                cases=len(cases.get(agency_id, [])),
                points_per_case=indicator.points_per_case or Decimal(0),
                max_points=indicator.max_points,
            )
    return points


def _group_data(group, outcomes: list[AgencyOutcome], top_size: int) -> tuple[dict, dict]:
    """A ranking group's published top list and whole ranking with totals; each member's rank."""
    members = [outcome for outcome in outcomes if outcome.surveyed.agency.level in group.levels]
    by_id = {outcome.surveyed.pk: outcome for outcome in members}
    names = {key: outcome.surveyed.published_name for key, outcome in by_id.items()}
    entries = scoring.ranking(
        {key: outcome.total for key, outcome in by_id.items()},
        tie_order=lambda key: (-by_id[key].exact_total, scoring.pinyin_key(names[key])),
    )
    median = scoring.group_median(outcome.total for outcome in members)
    data = {
        "code": group.code,
        "name": group.name,
        "name_en": group.name_en,
        "ranking": [
            {"rank": entry.rank, "agencies": [names[key] for key in entry.members]}
            for entry in scoring.top_list(entries, top_size)
        ],
        "median": None if median is None else str(median),
        "totals": [
            {"rank": entry.rank, "agency": names[key], "total": str(by_id[key].total)}
            for entry in entries
            for key in entry.members
        ],
    }
    return data, {"ranks": scoring.ranks_of(entries), "size": len(members), "median": data["median"]}


def _tier_data(group, outcomes, evaluation: Evaluation, rule) -> tuple[dict, dict]:
    members = [outcome for outcome in outcomes if outcome.surveyed.agency.level in group.levels]
    totals = {outcome.surveyed.pk: outcome.total for outcome in members}
    names = {outcome.surveyed.pk: outcome.surveyed.published_name for outcome in members}
    if rule is None:
        tiers = scoring.Tiers([], [])
    elif evaluation.tier_rule == TierRule.CUTOFFS:
        tiers = scoring.tiers_by_cutoff(
            totals, excellent=rule.excellent_cutoff, good=rule.good_cutoff, names=names
        )
    else:
        tiers = scoring.tiers_by_count(
            totals, excellent=rule.excellent_count, good=rule.good_count, names=names
        )
    data = {
        "group": group.name,
        "code": group.code,
        "name_en": group.name_en,
        "excellent": [names[key] for key in tiers.excellent],
        "good": [names[key] for key in tiers.good],
    }
    tier_of = {key: "excellent" for key in tiers.excellent} | {key: "good" for key in tiers.good}
    median = scoring.group_median(totals.values())
    return data, {"tiers": tier_of, "size": len(members), "median": None if median is None else str(median)}


def evaluation_results(*, evaluation: Evaluation) -> Results:
    """The year's totals, rankings, tiers and index from its scores (a fixed number of queries)."""
    dimensions = indicator_system(evaluation=evaluation)
    cases = selected_cases(year=evaluation.year)
    points = _points(evaluation, dimensions, cases)
    surveyed = list(evaluation.surveyed.select_related("agency").order_by("agency__pinyin", "pk"))
    outcomes = [
        outcome
        for agency in surveyed
        if (
            outcome := _outcome(
                agency, dimensions, points.get(agency.pk, {}), cases.get(agency.agency_id, [])
            )
        )
    ]
    top_sizes = dict(evaluation.ranking_rules.values_list("group", "top_size"))
    tier_rules = {rule.group: rule for rule in evaluation.tier_rules.all()}
    groups, tiers = [], []
    for group in RANKING_GROUPS:
        data, places = _group_data(group, outcomes, top_sizes.get(group.code, 15))
        groups.append(data)
        for outcome in outcomes:
            if outcome.surveyed.pk in places["ranks"]:
                outcome.groups.append(
                    {
                        "kind": "ranking",
                        "code": group.code,
                        "name": group.name,
                        "name_en": group.name_en,
                        "rank": places["ranks"][outcome.surveyed.pk],
                        "size": places["size"],
                        "median": places["median"],
                    }
                )
    for group in TIER_GROUPS:
        data, places = _tier_data(group, outcomes, evaluation, tier_rules.get(group.code))
        tiers.append(data)
        for outcome in outcomes:
            if outcome.surveyed.agency.level in group.levels:
                outcome.groups.append(
                    {
                        "kind": "tier",
                        "code": group.code,
                        "name": group.name,
                        "name_en": group.name_en,
                        "tier": places["tiers"].get(outcome.surveyed.pk, ""),
                        "size": places["size"],
                        "median": places["median"],
                    }
                )
    index = scoring.development_index(outcome.total for outcome in outcomes)
    data = {
        "year": evaluation.year,
        "title": evaluation.title,
        "surveyed": len(outcomes),
        "index": None if index is None else str(index),
        "dimensions": [
            {"code": d.code, "name": d.name, "name_en": d.name_en, "weight": str(d.weight)}
            for d in dimensions
        ],
        "groups": groups,
        "tiers": tiers,
    }
    return Results(data=data, outcomes=outcomes)


# The public side: publications only.


def publication_get(*, year: int, version: int | None = None) -> EvaluationPublication:
    publications = EvaluationPublication.objects.select_related("evaluation").filter(evaluation__year=year)
    if version is not None:
        publications = publications.filter(version=version)
    publication = publications.order_by("-version").first()
    if publication is None:
        raise Http404("No publication")
    return publication


def publication_versions(*, publication: EvaluationPublication) -> list[tuple[int, object]]:
    return list(
        EvaluationPublication.objects.filter(evaluation_id=publication.evaluation_id)
        .order_by("version")
        .values_list("version", "published_at")
    )


def publications_stamp() -> str:
    """Changes whenever an evaluation is published (one small query in plain SQL, as govcases' stamp)."""
    table = connection.ops.quote_name(EvaluationPublication._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(id), MAX(published_at) FROM {table}")
        return ":".join(str(value) for value in cursor.fetchone())


def published_years() -> list[int]:
    return sorted(
        EvaluationPublication.objects.values_list("evaluation__year", flat=True).distinct(), reverse=True
    )


def agency_reports(*, agency_id: int) -> list[PublishedResult]:
    """The agency's published results, the latest version of each year, newest year first."""
    newest = dict(EvaluationPublication.objects.order_by("version").values_list("evaluation_id", "pk"))
    return list(
        PublishedResult.objects.filter(agency_id=agency_id, publication_id__in=newest.values())
        .select_related("publication__evaluation")
        .order_by("-publication__evaluation__year")
    )


def open_evaluation() -> Evaluation | None:
    """The newest year whose scores are open: where the evaluators' spreadsheet goes."""
    return Evaluation.objects.filter(status=EvaluationStatus.SCORING).order_by("-year").first()
