"""Everything that changes the evaluation: copying a year's system, scores in, computing, publishing.

Only `scores_save` writes a score (each change audited in ScoreChange); only `evaluation_compute` and
`evaluation_reopen` write a year's status; only `evaluation_publish` makes a snapshot.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govcases.enums import Level, Province
from govcases.exceptions import Refused
from govcases.models import Agency
from govcases.permissions import allowed

from . import selectors
from .enums import DimensionSource, EvaluationStatus, ScoreStatus
from .models import (
    Evaluation,
    EvaluationEvent,
    EvaluationPublication,
    Indicator,
    PublishedResult,
    RankingGroupRule,
    Score,
    ScoreChange,
    SurveyedAgency,
    TierGroupRule,
)
from .permissions import RUN_EVALUATION, can_score


def _check_organiser(by: AbstractBaseUser | None) -> None:
    if by is not None and not allowed(by, RUN_EVALUATION):
        raise Refused(_("Only the organisers can do this."))


def _locked_evaluation(evaluation: Evaluation) -> Evaluation:
    return Evaluation.objects.select_for_update().get(pk=evaluation.pk)


PROVINCE_LEVELS = {Level.PROVINCE, Level.MUNICIPALITY}
CITY_LEVELS = {Level.SEPARATELY_LISTED_CITY, Level.PROVINCIAL_CAPITAL, Level.PREFECTURE}


def published_name_for(agency: Agency) -> str:
    """The name the report prints in its rankings: 广东 (not 广东省), 广州 (not 广州市), 北京海淀区, 商务部.

    A city keeps 市 where its short name would be a province's (吉林市, not 吉林).
    """
    if agency.level in PROVINCE_LEVELS and agency.province:
        return agency.province
    if agency.level in CITY_LEVELS:
        short = agency.display_name.removesuffix("市")
        if len(short) >= 2 and short not in Province.values:
            return short
    return agency.display_name


def surveyed_add(
    *,
    evaluation: Evaluation,
    agencies: list[Agency],
    by: AbstractBaseUser | None,
    websites: dict | None = None,
) -> int:
    """Adds agencies to the year's survey under the names the report prints; returns how many were new."""
    _check_organiser(by)
    websites = websites or {}
    with transaction.atomic():
        if _locked_evaluation(evaluation).locked:
            raise Refused(_("The evaluation of this year has been computed: its scores are locked."))
        present = set(evaluation.surveyed.values_list("agency_id", flat=True))
        new = [
            SurveyedAgency(
                evaluation=evaluation,
                agency=agency,
                published_name=published_name_for(agency),
                website=websites.get(agency.pk, ""),
            )
            for agency in agencies
            if agency.pk not in present
        ]
        SurveyedAgency.objects.bulk_create(new, batch_size=500)
        if new:
            EvaluationEvent.objects.create(
                evaluation=evaluation, action="surveyed", detail=f"{len(new)} agencies", by=by
            )
    return len(new)


def evaluation_copy(
    *, source: Evaluation, year: int, by: AbstractBaseUser | None, title: str = ""
) -> Evaluation:
    """A new year with the source year's indicator system, group rules and surveyed agencies; no scores."""
    _check_organiser(by)
    with transaction.atomic():
        if Evaluation.objects.filter(year=year).exists():
            raise Refused(_("There is already an evaluation for %(year)d.") % {"year": year})
        target = Evaluation.objects.create(
            year=year,
            title=title or source.title.replace(str(source.year), str(year)),
            tier_rule=source.tier_rule,
        )
        for dimension in source.dimensions.order_by("position", "pk").prefetch_related("indicators"):
            indicators = list(
                dimension.indicators.order_by("position", "pk").prefetch_related("exempt_agencies")
            )
            dimension.pk = None
            dimension.evaluation = target
            dimension.save()
            for indicator in indicators:
                exempt = list(indicator.exempt_agencies.all())
                indicator.pk = None
                indicator.dimension = dimension
                # The copied row still holds the source's prefetched exemptions, which set() would take for its own.
                indicator._prefetched_objects_cache = {}
                indicator.save()
                indicator.exempt_agencies.add(*exempt)
        RankingGroupRule.objects.bulk_create(
            RankingGroupRule(evaluation=target, group=rule.group, top_size=rule.top_size)
            for rule in source.ranking_rules.all()
        )
        TierGroupRule.objects.bulk_create(
            TierGroupRule(
                evaluation=target,
                group=rule.group,
                excellent_count=rule.excellent_count,
                good_count=rule.good_count,
                excellent_cutoff=rule.excellent_cutoff,
                good_cutoff=rule.good_cutoff,
            )
            for rule in source.tier_rules.all()
        )
        SurveyedAgency.objects.bulk_create(
            SurveyedAgency(
                evaluation=target,
                agency_id=surveyed.agency_id,
                published_name=surveyed.published_name,
                website=surveyed.website,
            )
            for surveyed in source.surveyed.all()
        )
        EvaluationEvent.objects.create(
            evaluation=target, action="copied", detail=f"from {source.year}", by=by
        )
    return target


@dataclass(frozen=True)
class ScoreValue:
    surveyed: SurveyedAgency
    indicator: Indicator
    points: Decimal


def score_problem(*, indicator: Indicator, surveyed: SurveyedAgency, points: Decimal) -> str:
    """What is wrong with giving these points (in the user's language), or "" when nothing is."""
    if indicator.dimension.source != DimensionSource.ENTERED:
        return _("“%(indicator)s” is computed from the published case selection, not entered.") % {
            "indicator": indicator.name
        }
    if not selectors.applies(indicator, surveyed):
        return _("“%(indicator)s” does not apply to %(agency)s.") % {
            "indicator": indicator.name,
            "agency": surveyed.published_name,
        }
    if not points.is_finite() or points < 0 or points > indicator.max_points:
        return _("Points must be between 0 and %(max)s.") % {"max": f"{indicator.max_points.normalize():f}"}
    if points != points.quantize(Decimal("0.01")):
        return _("Points have at most two decimals.")
    return ""


def scores_save(
    *,
    evaluation: Evaluation,
    values: list[ScoreValue],
    submit: bool,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> int:
    """Writes scores as drafts or submitted, all or none; returns how many changed. Each change is audited.

    The indicators must come from selectors.indicator_system (they carry their exemptions).
    """
    if by is not None and not can_score(by):
        raise Refused(_("Only the evaluators and the organisers can enter scores."))
    status = ScoreStatus.SUBMITTED if submit else ScoreStatus.DRAFT
    now = timezone.now()
    with transaction.atomic():
        if _locked_evaluation(evaluation).locked:
            raise Refused(_("The evaluation of this year has been computed: its scores are locked."))
        given = set()
        for value in values:
            if (
                value.surveyed.evaluation_id != evaluation.pk
                or value.indicator.evaluation_id != evaluation.pk
            ):
                raise Refused(_("That score belongs to another year."))
            if (value.surveyed.pk, value.indicator.pk) in given:
                raise Refused(_("The same score is given twice."))
            given.add((value.surveyed.pk, value.indicator.pk))
            problem = score_problem(indicator=value.indicator, surveyed=value.surveyed, points=value.points)
            if problem:
                raise Refused(problem)
        existing = {
            (score.surveyed_id, score.indicator_id): score
            for score in Score.objects.select_for_update().filter(
                surveyed__in={value.surveyed.pk for value in values},
                indicator__in={value.indicator.pk for value in values},
            )
        }
        new, changed, audit = [], [], []
        for value in values:
            score = existing.get((value.surveyed.pk, value.indicator.pk))
            if score is not None and score.points == value.points and score.status == status:
                continue
            before = (score.points, score.status) if score else (None, "")
            if score is None:
                score = Score(surveyed=value.surveyed, indicator=value.indicator)
                new.append(score)
            else:
                changed.append(score)
            score.points, score.status, score.updated_at, score.updated_by = value.points, status, now, by
            audit.append((score, before))
        Score.objects.bulk_create(new, batch_size=500)
        Score.objects.bulk_update(changed, ["points", "status", "updated_at", "updated_by"], batch_size=500)
        ScoreChange.objects.bulk_create(
            (
                ScoreChange(
                    score=score,
                    from_points=before[0],
                    to_points=score.points,
                    from_status=before[1],
                    to_status=score.status,
                    by=by,
                    at=now,
                    reason=reason,
                )
                for score, before in audit
            ),
            batch_size=500,
        )
    return len(audit)


def evaluation_compute(
    *, evaluation: Evaluation, by: AbstractBaseUser | None, reason: str = ""
) -> Evaluation:
    """Locks the year's scores so that its results can be published. Missing or draft scores count as 0:
    going on with any outstanding needs a reason, which is audited."""
    _check_organiser(by)
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if evaluation.locked:
            raise Refused(_("This year has already been computed."))
        outstanding = selectors.outstanding_scores(evaluation=evaluation)
        if outstanding and not reason.strip():
            raise Refused(
                ngettext(
                    "%(count)d score is missing or still a draft; it would count as 0. Give a reason to go on.",
                    "%(count)d scores are missing or still drafts; they would count as 0. Give a reason to go on.",
                    outstanding,
                )
                % {"count": outstanding}
            )
        evaluation.status = EvaluationStatus.COMPUTED
        evaluation.save(update_fields=["status"])
        EvaluationEvent.objects.create(
            evaluation=evaluation,
            action="computed",
            detail=f"outstanding {outstanding}",
            by=by,
            reason=reason,
        )
    return evaluation


def evaluation_reopen(*, evaluation: Evaluation, by: AbstractBaseUser | None, reason: str) -> Evaluation:
    """Unlocks the scores for a correction; the next publication is a new version."""
    _check_organiser(by)
    if not reason.strip():
        raise Refused(_("Say why the scores are reopened."))
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if not evaluation.locked:
            raise Refused(_("The scores of this year are open already."))
        evaluation.status = EvaluationStatus.SCORING
        evaluation.save(update_fields=["status"])
        EvaluationEvent.objects.create(evaluation=evaluation, action="reopened", by=by, reason=reason)
    return evaluation


def evaluation_publish(
    *, evaluation: Evaluation, by: AbstractBaseUser | None, reason: str = ""
) -> EvaluationPublication:
    """Freezes the computed results as the next version; a correction (any version after the first) says why."""
    _check_organiser(by)
    with transaction.atomic():
        evaluation = _locked_evaluation(evaluation)
        if not evaluation.locked:
            raise Refused(_("Compute the year before publishing it: its scores are still open."))
        version = (evaluation.publications.aggregate(v=Max("version"))["v"] or 0) + 1
        if version > 1 and not reason.strip():
            raise Refused(_("A correction is published as a new version: say what it corrects."))
        results = selectors.evaluation_results(evaluation=evaluation)
        publication = EvaluationPublication.objects.create(
            evaluation=evaluation, version=version, published_by=by, reason=reason
        )
        publication.data = results.data | {
            "version": version,
            "published_at": publication.published_at.isoformat(),
        }
        publication.save(update_fields=["data"])
        PublishedResult.objects.bulk_create(
            (
                PublishedResult(
                    publication=publication,
                    agency_id=outcome.surveyed.agency_id,
                    name=outcome.surveyed.published_name,
                    level=outcome.surveyed.agency.level,
                    total=outcome.total,
                    detail={
                        "dimensions": outcome.dimensions,
                        "groups": outcome.groups,
                        "cases": outcome.cases,
                    },
                )
                for outcome in results.outcomes
            ),
            batch_size=500,
        )
        EvaluationEvent.objects.create(
            evaluation=evaluation, action="published", detail=f"version {version}", by=by, reason=reason
        )
    return publication


def scores_import(
    *, evaluation: Evaluation, values: list[tuple[int, int, str]], submit: bool, by: AbstractBaseUser | None
) -> int:
    """Writes a checked spreadsheet's scores (surveyed id, indicator id, points), all or none."""
    dimensions = selectors.indicator_system(evaluation=evaluation)
    indicators = {i.pk: i for d in dimensions for i in d.indicators.all()}
    surveyed = {s.pk: s for s in evaluation.surveyed.select_related("agency")}
    try:
        rows = [
            ScoreValue(surveyed[surveyed_id], indicators[indicator_id], Decimal(points))
            for surveyed_id, indicator_id, points in values
        ]
    except (KeyError, ArithmeticError) as problem:
        raise Refused(
            _("The spreadsheet no longer matches this year's agencies and indicators.")
        ) from problem
    with transaction.atomic():
        changed = scores_save(
            evaluation=evaluation, values=rows, submit=submit, by=by, reason=_("spreadsheet import")
        )
        EvaluationEvent.objects.create(
            evaluation=evaluation, action="imported", detail=f"{len(rows)} scores, {changed} changed", by=by
        )
    return changed
