"""Published rounds for the public-site browser tests, built through the services as a real round would be."""

from dataclasses import dataclass

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.models import Case, Category, Publication
from govcases.services import publication_create
from tests import factories


@dataclass(frozen=True)
class Published:
    title: str
    agency: str
    level: str
    province: str
    category: str  # a category code of the 2024 round: disclosure, service, interaction, platform
    summary: str = "依托一体化政务服务平台，实现企业开办全程网办、一日办结。"


# Real-looking agencies of several levels and provinces, so that every filter has something to tell apart.
CASES_2024 = [
    Published("“京通”一网通办", "北京市海淀区人民政府", Level.DISTRICT, Province.BEIJING, "service"),
    Published("政策文件图解专栏", "国家税务总局", Level.MINISTRY, "", "disclosure"),
    Published("12345热线快速响应", "浙江省人民政府", Level.PROVINCE, Province.ZHEJIANG, "interaction"),
    Published(
        "政务云统一支撑平台",
        "贵州省黔南布依族苗族自治州人民政府",
        Level.PREFECTURE,
        Province.GUIZHOU,
        "platform",
    ),
    Published(
        "企业开办“一日办结”", "广州市人民政府", Level.PROVINCIAL_CAPITAL, Province.GUANGDONG, "service"
    ),
]
CASES_2023 = [
    Published("不动产登记“跨省通办”", "上海市人民政府", Level.MUNICIPALITY, Province.SHANGHAI, "service"),
]


def published_round(year: int, cases: list[Published]) -> tuple[Publication, dict[str, Case]]:
    """A round of `year` whose given cases were reviewed, selected and published (version 1)."""
    round = factories.RoundFactory(year=year, phase=Phase.SELECTION)
    made = {}
    for spec in cases:
        agency = factories.AgencyFactory(
            name=spec.agency, display_name=spec.agency, level=spec.level, province=spec.province
        )
        made[spec.title] = factories.CaseFactory(
            round=round,
            agency=agency,
            category=Category.objects.get(code=spec.category),
            title=spec.title,
            summary=spec.summary,
            status=CaseStatus.IN_REVIEW,
        )
    publication = publication_create(
        round=round, selected=list(made.values()), by=None, override=True, reason="测试准备"
    )
    return publication, made
