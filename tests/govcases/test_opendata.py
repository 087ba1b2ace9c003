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
    assert rows[0] == ["id", "category", "title", "agency", "level", "province", "url"]
    assert [(row[1], row[2], row[3], row[4], row[5]) for row in rows[1:]] == EXPECTED_ROWS


def test_xlsx_reads_back_with_openpyxl(client, published):
    response = client.get("/results/2024.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = workbook["2024"]
    rows = list(sheet.iter_rows(values_only=True))
    workbook.close()
    assert rows[0] == ("id", "category", "title", "agency", "level", "province", "url")
    assert [(row[1], row[2], row[3], row[4], row[5] or "") for row in rows[1:]] == EXPECTED_ROWS
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
