"""The 2024 demo evaluation, published: the public page and its open data reproduce the report's facts.

Built once for the module from the project's copy of the reference (its 685 agencies and facts), without the
case selection: the 优秀创新案例 dimension is then 0 for everyone, and the report must still come out exactly
(tests/test_demo.py checks the same with the selection published by load_demo).
"""

import csv
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from demo import build, reference
from demo import evaluation as demo
from evaluation import services
from evaluation.models import Evaluation, EvaluationPublication, PublishedResult
from govcases.models import Agency, AgencyMember
from tests import factories

PROVINCES = (
    "广东位列第一名，贵州和四川并列第二名，海南和安徽并列第四名，"
    "福建、内蒙古/云南、浙江、山东、江苏、湖南、江西、广西、湖北位列第六至十五名。"
)
MINISTRIES = (
    "商务部位列第一名，海关总署位列第二名，国家税务总局位列第三名，国家药品监督管理局、国家市场监督管理总局、"
    "科学技术部、交通运输部、国家林业和草原局、教育部、文化和旅游部/工业和信息化部、自然资源部、"
    "国家发展和改革委员会、国家卫生健康委员会、生态环境部位列第四至十五名。"
)
TIER_COUNTS = {
    "国务院部门": (7, 20),
    "省级政府": (13, 14),
    "计划单列市、省会城市和其他地市级政府": (23, 121),
    "直辖市和副省级城市所辖区县政府": (16, 86),
}


@pytest.fixture
def published(db):
    """The 685 agencies and their 2024 evaluation, published (built for each test: a module-wide copy would
    need a session of its own, which PostgreSQL's teardown then finds open beside the browser tests')."""
    build.agencies_load()
    organiser = factories.OrganiserFactory(username="evaluation-organiser")
    evaluator = factories.UserFactory(username="evaluation-evaluator")
    Group.objects.get_or_create(name="evaluators")[0].user_set.add(evaluator)
    return demo.evaluation_demo_load(facts=reference.reference(), organiser=organiser, evaluator=evaluator)


def open_data(client) -> dict:
    response = client.get("/evaluation/2024.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def check_every_group_ranks_as_the_report_with_its_ties(data):
    facts = reference.reference()
    assert [group["code"] for group in data["groups"]] == list(facts["rankings"])
    for group in data["groups"]:
        assert group["ranking"] == facts["rankings"][group["code"]], group["code"]


def check_tier_counts_index_and_the_number_surveyed(data):
    assert data["year"] == 2024
    assert data["surveyed"] == 685
    assert data["index"] == 73.81
    assert data["version"] == 1
    assert {
        tier["group"]: (len(tier["excellent"]), len(tier["good"])) for tier in data["tiers"]
    } == TIER_COUNTS
    groups = [row["group"] for row in reference.reference()["tiers"]["groups"]]
    assert [tier["group"] for tier in data["tiers"]] == groups


def check_tiers_are_listed_in_pinyin_order_and_hold_the_best(data):
    from govcases.models import pinyin_key

    provincial = next(tier for tier in data["tiers"] if tier["group"] == "省级政府")
    assert provincial["excellent"] == sorted(provincial["excellent"], key=pinyin_key)
    assert {"广东", "贵州", "四川", "北京", "上海"} <= set(provincial["excellent"])
    assert provincial["excellent"][:3] == ["安徽", "北京", "重庆"]


def check_the_page_writes_the_reports_sentences(client):
    page = client.get("/evaluation/2024/").content.decode()
    assert PROVINCES in page
    assert MINISTRIES in page
    assert "北京位列第一名，上海位列第二名，重庆位列第三名。" in page
    assert "网上政府发展指数： <strong>73.81</strong>" in page
    assert "共评估685个政府和部门" in page
    assert page.count("<rect") == 53 + 28 + 4 + 5 + 27  # a bar for every agency of the five ranking groups


def check_the_page_in_english(client):
    page = client.get("/evaluation/2024/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "广东 ranks 1st; 贵州 and 四川 tie for 2nd; 海南 and 安徽 tie for 4th;" in page
    assert "Provincial governments" in page
    assert "Online government development index" in page


def check_csv_and_xlsx_hold_the_same_rankings(client):
    response = client.get("/evaluation/2024.csv")
    assert response["Content-Disposition"] == 'attachment; filename="evaluation-2024.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["kind", "group", "group_name", "rank", "agency", "total", "tier", "tier_name"]
    provinces = [row for row in rows if row[0] == "ranking" and row[1] == "province"]
    assert {row[2] for row in provinces} == {"省（自治区）"}
    assert [row[4] for row in provinces[:5]] == ["广东", "贵州", "四川", "海南", "安徽"]
    assert [row[3] for row in provinces[:5]] == ["1", "2", "2", "4", "4"]
    excellent = [row for row in rows if row[0] == "tier" and row[6] == "excellent"]
    assert len(excellent) == 7 + 13 + 23 + 16 and {row[7] for row in excellent} == {"优秀"}
    workbook = load_workbook(io.BytesIO(client.get("/evaluation/2024.xlsx").content))
    sheet = workbook["results"]
    assert [cell.value for cell in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def check_an_unknown_year_or_version_is_not_found(client):
    assert client.get("/evaluation/2023/").status_code == 404
    assert client.get("/evaluation/2023.json").status_code == 404
    assert client.get("/evaluation/2024/?version=9").status_code == 404
    assert client.get("/evaluation/2024/?version=x").status_code == 404


def check_the_open_data_is_served_from_the_cache_until_the_next_publication(client):
    client.get("/evaluation/2024.json")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/evaluation/2024.json")
    assert response.status_code == 200
    assert len(queries) == 1  # the publications' stamp
    with CaptureQueriesContext(connection) as queries:
        client.get("/evaluation/2024/")
        client.get("/evaluation/2024/")
    page_queries = len(queries)
    client.get("/evaluation/2024/")
    with CaptureQueriesContext(connection) as queries:
        client.get("/evaluation/2024/")
    assert len(queries) == 1 < page_queries


def test_the_published_2024_evaluation_reproduces_the_report(published, client):
    """One build of the 685 agencies' evaluation, read as the public reads it (building it takes seconds)."""
    data = open_data(client)
    check_every_group_ranks_as_the_report_with_its_ties(data)
    check_tier_counts_index_and_the_number_surveyed(data)
    check_tiers_are_listed_in_pinyin_order_and_hold_the_best(data)
    check_the_page_writes_the_reports_sentences(client)
    check_the_page_in_english(client)
    check_csv_and_xlsx_hold_the_same_rankings(client)
    check_an_unknown_year_or_version_is_not_found(client)
    cache.clear()
    check_the_open_data_is_served_from_the_cache_until_the_next_publication(client)


def test_a_correction_is_a_new_version_and_the_first_stays_readable(published, client, db):
    organiser = factories.OrganiserFactory()
    evaluation = Evaluation.objects.get(year=2024)
    with pytest.raises(services.Refused):
        services.evaluation_publish(evaluation=evaluation, by=organiser)  # a correction needs a reason
    services.evaluation_publish(evaluation=evaluation, by=organiser, reason="核对后更正")
    assert client.get("/evaluation/2024.json").json()["version"] == 2
    assert client.get("/evaluation/2024.json?version=1").json()["version"] == 1
    page = client.get("/evaluation/2024/?version=1").content.decode()
    assert PROVINCES in page
    assert EvaluationPublication.objects.filter(evaluation=evaluation).count() == 2


def test_each_agency_reads_its_own_report_in_the_portal(published, client, db):
    guangdong = Agency.objects.get(name="广东省")
    officer = factories.UserFactory()
    AgencyMember.objects.create(user=officer, agency=guangdong)
    client.force_login(officer)
    page = client.get("/portal/evaluation/").content.decode()
    result = PublishedResult.objects.get(agency=guangdong, publication=published)
    assert str(result.total) in page
    assert "第1名" in page
    assert "省级政府" in page and "优秀" in page
    assert "公开解读" in page and "政策解读" in page
    median = next(g["median"] for g in result.detail["groups"] if g["code"] == "province")
    assert median in page
    other = factories.AgencyMemberFactory().user
    client.force_login(other)
    assert str(result.total) not in client.get("/portal/evaluation/").content.decode()
