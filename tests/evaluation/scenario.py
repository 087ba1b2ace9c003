"""A small evaluation year for the service and site tests: two entered dimensions and the selected cases' one,
three agencies (a ministry without public services among them), an evaluator and an organiser."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group

from evaluation import selectors, services
from evaluation.enums import DimensionSource
from evaluation.models import Dimension, Evaluation, Indicator, RankingGroupRule, TierGroupRule
from govcases.enums import Level
from tests import factories


@dataclass
class Year:
    evaluation: Evaluation
    agencies: dict
    surveyed: dict
    indicators: dict
    evaluator: object
    organiser: object

    def system(self):
        """Indicators as the services want them (with their exemptions), by code."""
        dimensions = selectors.indicator_system(evaluation=self.evaluation)
        return {indicator.code: indicator for d in dimensions for indicator in d.indicators.all()}


def evaluator_user(**kwargs):
    user = factories.UserFactory(**kwargs)
    Group.objects.get_or_create(name="evaluators")[0].user_set.add(user)
    return user


def make_year(year: int = 2024) -> Year:
    organiser = factories.OrganiserFactory()
    evaluator = evaluator_user()
    evaluation = Evaluation.objects.create(year=year, title=f"{year}年网上政府发展指数评估")
    service = Dimension.objects.create(
        evaluation=evaluation, code="service", name="在线服务", weight=Decimal(60)
    )
    platform = Dimension.objects.create(
        evaluation=evaluation, code="platform", name="平台支撑", weight=Decimal(35), position=1
    )
    cases = Dimension.objects.create(
        evaluation=evaluation,
        code="innovation",
        name="优秀创新案例",
        weight=Decimal(5),
        source=DimensionSource.SELECTED_CASES,
        position=2,
    )
    indicators = {
        "service-online": Indicator.objects.create(
            dimension=service, code="service-online", name="事项网上可办", max_points=Decimal(40)
        ),
        "service-mobile": Indicator.objects.create(
            dimension=service, code="service-mobile", name="移动服务", max_points=Decimal(60), position=1
        ),
        "platform-security": Indicator.objects.create(
            dimension=platform, code="platform-security", name="安全保障", max_points=Decimal(100)
        ),
        "innovation-cases": Indicator.objects.create(
            dimension=cases,
            code="innovation-cases",
            name="入选优秀创新案例",
            max_points=Decimal(100),
            points_per_case=Decimal(50),
        ),
    }
    agencies = {
        "审计署": factories.AgencyFactory(name="审计署", display_name="审计署", level=Level.MINISTRY),
        "广东省": factories.AgencyFactory(
            name="广东省", display_name="广东省", level=Level.PROVINCE, province="广东"
        ),
        "贵州省": factories.AgencyFactory(
            name="贵州省", display_name="贵州省", level=Level.PROVINCE, province="贵州"
        ),
    }
    indicators["service-online"].exempt_agencies.add(agencies["审计署"])
    services.surveyed_add(
        evaluation=evaluation,
        agencies=list(agencies.values()),
        by=organiser,
        websites={agencies["广东省"].pk: "https://www.gd.gov.example/"},
    )
    RankingGroupRule.objects.create(evaluation=evaluation, group="province", top_size=15)
    TierGroupRule.objects.create(evaluation=evaluation, group="provincial", excellent_count=1, good_count=1)
    surveyed = {s.agency.name: s for s in evaluation.surveyed.select_related("agency")}
    return Year(evaluation, agencies, surveyed, indicators, evaluator, organiser)
