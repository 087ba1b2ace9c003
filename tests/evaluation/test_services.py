"""Scores in (audited, checked, locked once computed), computing, publishing versions, copying a year."""

from decimal import Decimal

import pytest

from evaluation import selectors, services
from evaluation.enums import EvaluationStatus, ScoreStatus
from evaluation.models import Evaluation, EvaluationEvent, Score, ScoreChange
from govcases.exceptions import Refused
from tests import factories

from .scenario import evaluator_user, make_year


@pytest.fixture
def year(db):
    return make_year()


def value(year, agency: str, code: str, points) -> services.ScoreValue:
    return services.ScoreValue(year.surveyed[agency], year.system()[code], Decimal(str(points)))


def save(year, *values, submit=True, by=None):
    return services.scores_save(
        evaluation=year.evaluation, values=list(values), submit=submit, by=by or year.evaluator
    )


def test_every_change_of_a_score_is_audited(year):
    save(year, value(year, "广东省", "service-mobile", 40), submit=False)
    save(year, value(year, "广东省", "service-mobile", 45))
    save(year, value(year, "广东省", "service-mobile", 45))  # no change, no entry
    score = Score.objects.get()
    assert (score.points, score.status, score.updated_by) == (
        Decimal(45),
        ScoreStatus.SUBMITTED,
        year.evaluator,
    )
    changes = list(
        ScoreChange.objects.order_by("pk").values_list(
            "from_points", "to_points", "from_status", "to_status", "by"
        )
    )
    assert changes == [
        (None, Decimal(40), "", ScoreStatus.DRAFT, year.evaluator.pk),
        (Decimal(40), Decimal(45), ScoreStatus.DRAFT, ScoreStatus.SUBMITTED, year.evaluator.pk),
    ]


@pytest.mark.parametrize(
    ("agency", "code", "points", "message"),
    [
        ("广东省", "service-mobile", "60.01", "分数必须在0到60之间"),
        ("广东省", "service-mobile", "-1", "分数必须在0到60之间"),
        ("广东省", "service-mobile", "1.005", "最多保留两位小数"),
        ("审计署", "service-online", "10", "不适用于审计署"),
        ("广东省", "innovation-cases", "50", "根据已发布的案例遴选结果计算"),
    ],
)
def test_a_score_the_rules_forbid_is_refused_and_nothing_is_written(year, agency, code, points, message):
    good = value(year, "贵州省", "service-mobile", 30)
    with pytest.raises(Refused, match=message):
        save(year, good, value(year, agency, code, points))
    assert not Score.objects.exists()
    assert not ScoreChange.objects.exists()


def test_only_evaluators_and_organisers_enter_scores(year, db):
    reviewer = factories.ReviewerFactory()
    with pytest.raises(Refused):
        save(year, value(year, "广东省", "service-mobile", 30), by=reviewer)
    save(year, value(year, "广东省", "service-mobile", 30), by=year.organiser)
    assert Score.objects.count() == 1


def test_computing_needs_a_reason_while_scores_are_outstanding_and_then_locks_them(year):
    assert (
        selectors.outstanding_scores(evaluation=year.evaluation) == 3 * 3 - 1
    )  # the exempt one does not count
    with pytest.raises(Refused, match="有8项评分缺失"):
        services.evaluation_compute(evaluation=year.evaluation, by=year.organiser)
    with pytest.raises(Refused):
        services.evaluation_compute(evaluation=year.evaluation, by=year.evaluator, reason="赶时间")
    services.evaluation_compute(evaluation=year.evaluation, by=year.organiser, reason="其余按零分计")
    year.evaluation.refresh_from_db()
    assert year.evaluation.status == EvaluationStatus.COMPUTED
    with pytest.raises(Refused, match="评分已锁定"):
        save(year, value(year, "广东省", "service-mobile", 30))
    event = EvaluationEvent.objects.get(action="computed")
    assert (event.by, event.reason) == (year.organiser, "其余按零分计")
    with pytest.raises(Refused):
        services.evaluation_reopen(evaluation=year.evaluation, by=year.organiser, reason="")
    services.evaluation_reopen(evaluation=year.evaluation, by=year.organiser, reason="更正贵州的分数")
    save(year, value(year, "广东省", "service-mobile", 30))


def fill(year):
    points = {
        "审计署": {"service-mobile": 54, "platform-security": 90},
        "广东省": {"service-online": 36, "service-mobile": 57, "platform-security": 95},
        "贵州省": {"service-online": 30, "service-mobile": 50, "platform-security": 85},
    }
    save(year, *(value(year, agency, code, p) for agency, row in points.items() for code, p in row.items()))


def test_publishing_freezes_totals_ranks_tiers_and_the_index(year):
    fill(year)
    with pytest.raises(Refused, match="请先计算"):
        services.evaluation_publish(evaluation=year.evaluation, by=year.organiser)
    services.evaluation_compute(evaluation=year.evaluation, by=year.organiser)
    publication = services.evaluation_publish(evaluation=year.evaluation, by=year.organiser)
    totals = {result.name: result.total for result in publication.results.all()}
    # 审计署: service over service-mobile only, 54/60 = 90 %; platform 90 %; no case: 60·90 + 35·90 + 0 = 85.50.
    # 广东: service 93/100, platform 95, no case: (60·93 + 35·95) / 100 = 89.05; 贵州 (60·80 + 35·85)/100 = 77.75.
    assert totals == {"审计署": Decimal("85.50"), "广东": Decimal("89.05"), "贵州": Decimal("77.75")}
    data = publication.data
    assert data["index"] == "84.10"
    provinces = next(group for group in data["groups"] if group["code"] == "province")
    assert provinces["ranking"] == [{"rank": 1, "agencies": ["广东"]}, {"rank": 2, "agencies": ["贵州"]}]
    tiers = next(tier for tier in data["tiers"] if tier["code"] == "provincial")
    assert (tiers["excellent"], tiers["good"]) == (["广东"], ["贵州"])


def test_the_innovation_dimension_comes_from_the_published_selection(year, db):
    from govcases.enums import CaseStatus
    from govcases.services import publication_create

    fill(year)
    round_ = factories.RoundFactory(year=2024, phase="selection")
    case = factories.CaseFactory(round=round_, agency=year.agencies["贵州省"], status=CaseStatus.IN_REVIEW)
    # One case selected where the quotas hold 50: published all the same, with the override.
    publication_create(round=round_, selected=[case], by=year.organiser, override=True, reason="测试")
    services.evaluation_compute(evaluation=year.evaluation, by=year.organiser)
    publication = services.evaluation_publish(evaluation=year.evaluation, by=year.organiser)
    guizhou = publication.results.get(name="贵州")
    # One selected case: 50 of 100 points in a dimension weighing 5: 77.75 + 2.50.
    assert guizhou.total == Decimal("80.25")
    assert guizhou.detail["cases"] == [{"id": case.pk, "title": case.title, "category": case.category.name}]


def test_copying_a_year_into_the_next_takes_the_system_not_the_scores(year):
    fill(year)
    copy = services.evaluation_copy(source=year.evaluation, year=2025, by=year.organiser)
    assert copy.title == "2025年网上政府发展指数评估"
    assert list(copy.dimensions.values_list("code", "weight")) == list(
        year.evaluation.dimensions.values_list("code", "weight")
    )
    online = copy.indicators.get(code="service-online")
    assert list(online.exempt_agencies.all()) == [year.agencies["审计署"]]
    assert copy.surveyed.count() == 3
    assert copy.ranking_rules.count() == 1 and copy.tier_rules.count() == 1
    assert not Score.objects.filter(surveyed__evaluation=copy).exists()
    with pytest.raises(Refused, match="已有评估"):
        services.evaluation_copy(source=year.evaluation, year=2025, by=year.organiser)
    with pytest.raises(Refused):
        services.evaluation_copy(source=year.evaluation, year=2026, by=evaluator_user())
    assert Evaluation.objects.count() == 2


def test_the_same_score_twice_is_refused(year):
    with pytest.raises(Refused):
        save(year, value(year, "广东省", "service-mobile", 30), value(year, "广东省", "service-mobile", 40))
    assert not Score.objects.exists()
