"""Open data: /results/<year>.json (the design's shape), .csv (UTF-8 with BOM) and .xlsx, read back by parsers."""

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook

from govcases.enums import Phase
from govcases.models import Quota
from govcases.services import publication_create, round_phase_set
from tests.govcases.test_public import SPECS_2024, publish

pytestmark = pytest.mark.django_db

# In report order: category, then level, then Hanyu Pinyin.
EXPECTED_ROWS = [
    ("公开解读", "商务政策解读", "商务部", "ministry", ""),
    ("公开解读", "粤省事", "广东省", "province", "广东"),
    ("公开解读", "安顺政务公开", "安顺市", "prefecture", "贵州"),
    ("公开解读", "珠海政策图解", "珠海市", "prefecture", "广东"),
    ("公开解读", "海淀“接诉即办”", "北京海淀区", "district", "北京"),
    ("互动交流", "浙里办热线", "浙江省", "province", "浙江"),
    ("平台支撑", "黔南政务云", "黔南州", "prefecture", "贵州"),
]


# The same rows as people read them in CSV and Excel: levels in words of the visitor's language.
CHINESE_HEADERS = ["案例编号", "类别", "标题", "参评单位", "层级", "省份", "网页"]
ENGLISH_HEADERS = ["Case number", "Category", "Title", "Agency", "Level", "Province", "Web page"]
CHINESE_LEVELS = {
    "ministry": "国务院部门",
    "province": "省（自治区）",
    "prefecture": "地市（州、盟）",
    "district": "区县",
}
CHINESE_ROWS = [
    (category, title, agency, CHINESE_LEVELS[level], province)
    for category, title, agency, level, province in EXPECTED_ROWS
]
ENGLISH_ROWS = [
    ("Disclosure and policy interpretation", "商务政策解读", "商务部", "Ministry", ""),
    ("Disclosure and policy interpretation", "粤省事", "广东省", "Province", "Guangdong"),
    ("Disclosure and policy interpretation", "安顺政务公开", "安顺市", "Prefecture", "Guizhou"),
    ("Disclosure and policy interpretation", "珠海政策图解", "珠海市", "Prefecture", "Guangdong"),
    ("Disclosure and policy interpretation", "海淀“接诉即办”", "北京海淀区", "District", "Beijing"),
    ("Interaction", "浙里办热线", "浙江省", "Province", "Zhejiang"),
    ("Platform support", "黔南政务云", "黔南州", "Prefecture", "Guizhou"),
]


@pytest.fixture
def published(db):
    return publish(2024, SPECS_2024, unselected=2, images=0)


def test_json_has_the_designed_shape(client, published):
    publication, cases = published
    response = client.get("/results/2024.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert list(data) == ["year", "title", "submitted", "selected", "published_at", "version", "categories"]
    assert (data["year"], data["title"], data["submitted"], data["selected"], data["version"]) == (
        2024,
        "2024年网上政务创新实践案例",
        9,
        7,
        1,
    )
    assert datetime.fromisoformat(data["published_at"]) == publication.published_at
    assert [(category["name"], category["quota"]) for category in data["categories"]] == [
        ("公开解读", 15),
        ("在线服务", 16),
        ("互动交流", 11),
        ("平台支撑", 8),
    ]
    rows = [
        (category["name"], case["title"], case["agency"], case["level"], case["province"])
        for category in data["categories"]
        for case in category["cases"]
    ]
    assert rows == EXPECTED_ROWS
    first = data["categories"][0]["cases"][0]
    assert list(first) == ["id", "title", "agency", "level", "province", "url"]
    assert first["id"] == cases["商务政策解读"].pk
    assert first["url"] == f"http://testserver/cases/{first['id']}/"
    assert client.get(first["url"]).status_code == 200


def test_the_quotas_are_those_published_even_when_changed_afterwards(client, published):
    publication, cases = published
    Quota.objects.filter(round=publication.round, category__code="disclosure").update(seats=3)
    Quota.objects.filter(round=publication.round, category__code="platform").delete()

    data = client.get("/results/2024.json").json()

    assert [(category["name"], category["quota"]) for category in data["categories"]] == [
        ("公开解读", 15),
        ("在线服务", 16),
        ("互动交流", 11),
        ("平台支撑", 8),
    ]


def test_csv_is_utf8_with_a_bom_and_reads_back(client, published):
    response = client.get("/results/2024.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == CHINESE_HEADERS
    assert [(row[1], row[2], row[3], row[4], row[5]) for row in rows[1:]] == CHINESE_ROWS


def test_xlsx_reads_back_with_openpyxl(client, published):
    response = client.get("/results/2024.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook["2024"]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert list(rows[0]) == CHINESE_HEADERS
    assert [(row[1], row[2], row[3], row[4], row[5] or "") for row in rows[1:]] == CHINESE_ROWS
    assert all(isinstance(row[0], int) for row in rows[1:])


def test_open_data_of_an_earlier_version(client, published, organiser):
    publication, cases = published
    round_phase_set(round=publication.round, to=Phase.SELECTION, by=organiser, reason="更正", override=True)
    publication_create(
        round=publication.round, selected=[cases["粤省事"]], by=organiser, reason="更正", override=True
    )

    latest = client.get("/results/2024.json").json()
    first = client.get("/results/2024.json?version=1").json()

    assert (latest["version"], latest["selected"]) == (2, 1)
    assert (first["version"], first["selected"]) == (1, 7)
    csv_rows = client.get("/results/2024.csv?version=1").content.decode("utf-8-sig").splitlines()
    assert len(csv_rows) == 8


@pytest.mark.parametrize("extension", ["json", "csv", "xlsx"])
def test_open_data_of_an_unpublished_round_is_404(client, published, extension):
    assert client.get(f"/results/2023.{extension}").status_code == 404


def test_csv_and_xlsx_speak_the_visitors_language_and_json_keeps_its_codes(client, published):
    english_csv = client.get("/results/2024.csv", HTTP_ACCEPT_LANGUAGE="en").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(english_csv)))
    assert rows[0] == ENGLISH_HEADERS
    assert [tuple(row[1:6]) for row in rows[1:]] == ENGLISH_ROWS

    workbook = load_workbook(
        io.BytesIO(client.get("/results/2024.xlsx", HTTP_ACCEPT_LANGUAGE="en").content), read_only=True
    )
    sheet_rows = list(workbook["2024"].iter_rows(values_only=True))
    workbook.close()
    assert list(sheet_rows[0]) == ENGLISH_HEADERS
    assert [(row[1], row[4], row[5] or "") for row in sheet_rows[1:]] == [
        (category, level, province) for category, _title, _agency, level, province in ENGLISH_ROWS
    ]

    # No code such as "separately_listed_city" in a file for people; JSON, for programs, keeps them.
    assert "prefecture" not in client.get("/results/2024.csv").content.decode("utf-8-sig")
    json_levels = {
        case["level"]
        for category in client.get("/results/2024.json").json()["categories"]
        for case in category["cases"]
    }
    assert json_levels == {"ministry", "province", "prefecture", "district"}


def test_the_data_page_describes_every_field_of_every_format(client, published):
    page = client.get("/data/").content.decode()
    data = client.get("/results/2024.json").json()
    keys = set(data) | {f"categories[].{key}" for key in data["categories"][0] if key != "cases"}
    keys |= set(data["categories"][0]["cases"][0]) | {"category"}
    for key in keys - {"categories"}:
        assert f"<code>{key}</code>" in page, key
    for header in CHINESE_HEADERS:
        assert f"<td>{header}</td>" in page, header
    assert "CC BY 4.0" in page and 'rel="noopener external license"' in page
    # Every level code with its words.
    assert "<code>separately_listed_city</code></td><td>计划单列市</td>" in page
    assert 'href="/results/2024.xlsx"' in page
