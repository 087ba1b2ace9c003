"""The evaluation's open data in both languages: codes that programs can rely on, names a reader can read."""

import csv
import io
import re

import pytest
from openpyxl import load_workbook

from evaluation import services
from evaluation.opendata import HEADER

from .scenario import make_year
from .test_services import fill

CHINESE = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
AGENCY = HEADER.index("agency")
# The columns that hold codes or numbers: the same whatever the language of the download.
STABLE = [index for index, key in enumerate(HEADER) if not key.endswith("_name")]


@pytest.fixture
def published(db):
    year = make_year()
    fill(year)
    services.evaluation_compute(evaluation=year.evaluation, by=year.organiser)
    services.evaluation_publish(evaluation=year.evaluation, by=year.organiser)
    return year


def csv_rows(client, language: str) -> list[list[str]]:
    response = client.get("/evaluation/2024.csv", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(client, language: str) -> tuple[list[list], list[list]]:
    workbook = load_workbook(
        io.BytesIO(client.get("/evaluation/2024.xlsx", HTTP_ACCEPT_LANGUAGE=language).content)
    )
    rows = [["" if cell is None else str(cell) for cell in row] for row in workbook["results"].values]
    return rows, [list(row) for row in workbook["2024"].values]


def by_agency_and_kind(rows) -> dict:
    named = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    return {(row["agency"], row["kind"]): row for row in named}


EXPECTED = {
    "zh-hans": {
        ("广东", "ranking"): {
            "group": "province",
            "group_name": "省（自治区）",
            "rank": "1",
            "total": "89.05",
        },
        ("广东", "tier"): {
            "group": "provincial",
            "group_name": "省级政府",
            "tier": "excellent",
            "tier_name": "优秀",
        },
        ("贵州", "tier"): {
            "group": "provincial",
            "group_name": "省级政府",
            "tier": "good",
            "tier_name": "良好",
        },
    },
    "en": {
        ("广东", "ranking"): {
            "group": "province",
            "group_name": "Provinces and autonomous regions",
            "rank": "1",
        },
        ("广东", "tier"): {
            "group": "provincial",
            "group_name": "Provincial governments",
            "tier": "excellent",
            "tier_name": "Excellent",
        },
        ("贵州", "tier"): {"group": "provincial", "tier": "good", "tier_name": "Good"},
    },
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_csv_and_the_xlsx_hold_codes_and_names_in_the_language_of_the_download(
    client, published, language
):
    rows = csv_rows(client, language)
    assert (
        rows[0] == HEADER == ["kind", "group", "group_name", "rank", "agency", "total", "tier", "tier_name"]
    )
    rows_by_key = by_agency_and_kind(rows)
    for key, expected in EXPECTED[language].items():
        assert {column: rows_by_key[key][column] for column in expected} == expected, key
    assert rows_by_key[("广东", "ranking")]["tier"] == rows_by_key[("广东", "tier")]["rank"] == ""
    workbook_rows, summary = xlsx_rows(client, language)
    assert [[cell.removesuffix(".0") for cell in row] for row in workbook_rows] == [
        [cell.removesuffix(".0") for cell in row] for row in rows
    ]
    assert summary == [["year", 2024], ["surveyed", 3], ["index", 84.1]]
    if language == "en":
        # Nothing is left in Chinese but the agencies' names, which the report gives in Chinese only.
        untranslated = [
            row for row in rows if any(CHINESE.search(cell) for cell in row[:AGENCY] + row[AGENCY + 1 :])
        ]
        assert untranslated == []


def test_the_codes_are_the_same_in_every_language(client, published):
    chinese, english = csv_rows(client, "zh-hans"), csv_rows(client, "en")
    assert len(chinese) == len(english) > 1
    assert [[row[i] for i in STABLE] for row in chinese] == [[row[i] for i in STABLE] for row in english]
    assert {row[HEADER.index("tier")] for row in chinese[1:]} == {"", "excellent", "good"}
    json_in = {
        language: client.get("/evaluation/2024.json", HTTP_ACCEPT_LANGUAGE=language).json()
        for language in ["zh-hans", "en"]
    }
    assert json_in["zh-hans"] == json_in["en"]
    provincial = next(tier for tier in json_in["en"]["tiers"] if tier["code"] == "provincial")
    assert (provincial["group"], provincial["excellent"], provincial["good"]) == (
        "省级政府",
        ["广东"],
        ["贵州"],
    )


def test_the_english_page_names_the_tiers_in_english(client, published):
    page = client.get("/evaluation/2024/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Excellent (1)" in page and "Good (1)" in page
    assert "优秀" not in page.replace("优秀创新案例", "") and "良好" not in page
    assert 'href="/evaluation/data/"' in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["评估的开放数据", "省（自治区）", "省级政府", "优秀", "良好"]),
        ("en", ["Open data of the evaluation of governments", "Provincial governments", "Excellent", "Good"]),
    ],
)
def test_the_data_page_describes_every_column_and_code(client, published, language, words):
    response = client.get("/evaluation/data/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    for key in HEADER:
        assert f'id="field-{key}"' in page, key
    for code in [
        "ministry",
        "province",
        "provincial_capital",
        "provincial",
        "districts",
        "excellent",
        "good",
    ]:
        assert f"<code>{code}</code>" in page
    for word in words:
        assert word in page
    assert 'href="/evaluation/2024.csv"' in page
    # The case selection's open data page leads here.
    assert 'href="/evaluation/data/"' in client.get("/data/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
