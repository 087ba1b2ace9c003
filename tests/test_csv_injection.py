"""CSV files cannot run: a cell that a spreadsheet would read as a formula (it begins with =, +, -, @, a tab or
a carriage return) is written with a leading apostrophe, and control characters are dropped.

Every CSV the project writes is checked with each prefix in every column that carries someone's text: the
public results (`/results/<year>.csv`), the organisers' scoring CSV and the `ranking` command's output.
"""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from govcases.enums import CaseStatus, Phase
from govcases.models import Category
from govcases.services import publication_create
from reviews.services import review_submit
from tests import factories
from tests.reviews.scenario import build

pytestmark = pytest.mark.django_db

PREFIXES = {"equals": "=", "plus": "+", "minus": "-", "at": "@", "tab": "\t", "carriage return": "\r"}
FORMULA = "SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_a_spreadsheet_reads(text: str) -> str:
    """What the cell should hold: the apostrophe (which Excel hides) then the text without control characters."""
    return "'" + text.replace("\t", "").replace("\r", "").replace("\x07", "")


def rows_of(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff"), "no byte order mark: Excel would not read the Chinese"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def assert_nothing_runs(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert is_number(cell) or not cell.startswith(FORMULA_STARTS), f"{cell!r} would run as a formula"
            assert not any(ord(ch) < 0x20 and ch != "\n" for ch in cell), f"control character in {cell!r}"


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_the_public_results_csv_writes_formulas_as_text(client, organiser, prefix):
    round_ = factories.RoundFactory(year=2024, phase=Phase.SELECTION)
    texts = {
        "title": f"{prefix}{FORMULA}标题",
        "agency": f"{prefix}{FORMULA}单位",
        "category": f"{prefix}类别",
    }
    category = Category.objects.get(code="disclosure")
    category.name = texts["category"]
    category.save()
    agency = factories.AgencyFactory(display_name=texts["agency"])
    case = factories.CaseFactory(
        round=round_, agency=agency, category=category, title=texts["title"], status=CaseStatus.IN_REVIEW
    )
    publication_create(round=round_, selected=[case], by=organiser, override=True, reason="测试准备")

    response = client.get("/results/2024.csv")

    assert response.status_code == 200
    rows = rows_of(response.content.decode("utf-8"))
    assert_nothing_runs(rows)
    assert rows[1][1:4] == [
        as_a_spreadsheet_reads(texts["category"]),
        as_a_spreadsheet_reads(texts["title"]),
        as_a_spreadsheet_reads(texts["agency"]),
    ]


@pytest.fixture
def hostile_scoring(round_):
    """A round in review whose case, agency, category, reviewer and criterion each carry hostile text."""

    def make(prefix: str):
        scenario = build(round_)
        texts = {
            "title": f"{prefix}{FORMULA}标题",
            "agency": f"{prefix}{FORMULA}单位",
            "category": f"{prefix}类别",
            "reviewer": f"{prefix}专家",
            "criterion": f"{prefix}创新性\x07",
        }
        scenario.shared_case.title = texts["title"]
        scenario.shared_case.save()
        scenario.shared_case.agency.display_name = texts["agency"]
        scenario.shared_case.agency.save()
        scenario.category.name = texts["category"]
        scenario.category.save()
        # The sheet names a reviewer by their name, which the organisers type.
        scenario.reviewer_a.last_name, scenario.reviewer_a.first_name = texts["reviewer"], ""
        scenario.reviewer_a.save()
        scenario.criteria[0].name = texts["criterion"]
        scenario.criteria[0].save()
        review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
        return scenario, texts

    return make


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_the_organisers_scoring_csv_writes_formulas_as_text(client, organiser, hostile_scoring, prefix):
    scenario, texts = hostile_scoring(prefix)
    client.force_login(organiser)

    response = client.get(reverse("admin:reviews_rankingboard_csv", args=[scenario.round.pk]))

    assert response.status_code == 200
    rows = rows_of(response.content.decode("utf-8"))
    assert_nothing_runs(rows)
    cells = {cell for row in rows[1:] for cell in row}
    for text in texts.values():
        assert as_a_spreadsheet_reads(text) in cells, text
    # Numbers stay numbers: the spreadsheet can still add them up.
    header = rows[0]
    shared = next(
        row for row in rows[1:] if row[header.index("reviewer")] == as_a_spreadsheet_reads(texts["reviewer"])
    )
    assert is_number(shared[header.index("total")]) and is_number(shared[header.index("mean")])


@pytest.mark.parametrize("prefix", PREFIXES.values(), ids=PREFIXES.keys())
def test_the_ranking_command_writes_formulas_as_text(capsys, hostile_scoring, prefix):
    scenario, texts = hostile_scoring(prefix)

    call_command("ranking", str(scenario.round.year), "--format", "csv")

    rows = rows_of(capsys.readouterr().out)
    assert_nothing_runs(rows)
    cells = {cell for row in rows[1:] for cell in row}
    for key in ("title", "agency", "category"):
        assert as_a_spreadsheet_reads(texts[key]) in cells, key
