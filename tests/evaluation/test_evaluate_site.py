"""The evaluators' site at /evaluate/: a panel per dimension, the website beside it, draft and submit, locked
once computed; the spreadsheet import previewed cell by cell, all or nothing. Roles stay apart."""

import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from evaluation import services
from evaluation.models import Score, ScoreChange
from tests import factories

from .scenario import make_year


@pytest.fixture
def year(db):
    return make_year()


@pytest.fixture
def evaluator_client(client, year):
    client.force_login(year.evaluator)
    return client


def panel_url(year, agency="广东省"):
    return f"/evaluate/evaluation/surveyedagency/{year.surveyed[agency].pk}/change/"


def field(year, code):
    return f"indicator_{year.indicators[code].pk}"


def test_the_list_shows_the_surveyed_agencies_with_their_websites(evaluator_client, year):
    response = evaluator_client.get("/evaluate/", follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/evaluate/evaluation/surveyedagency/"
    for name in ("审计署", "广东", "贵州"):
        assert name in page
    assert "https://www.gd.gov.example/" in page


def test_a_panel_per_dimension_with_the_website_beside_it(evaluator_client, year):
    page = evaluator_client.get(panel_url(year)).content.decode()
    assert 'id="panel-service"' in page and 'id="panel-platform"' in page
    assert 'id="agency-website" href="https://www.gd.gov.example/"' in page
    assert "根据本年度已发布的案例遴选结果计算" in page
    # The ministry without public services does not see the indicator that does not apply to it.
    ministry = evaluator_client.get(panel_url(year, "审计署")).content.decode()
    assert field(year, "service-online") not in ministry
    assert field(year, "service-mobile") in ministry


def test_a_draft_then_a_submission(evaluator_client, year):
    url = panel_url(year)
    response = evaluator_client.post(
        url, {"dimension": "service", field(year, "service-online"): "30", "_save": "1"}
    )
    assert response.status_code == 302
    assert Score.objects.get().status == "draft"
    # Submitting with an indicator left blank is refused, and what was typed stays on the page.
    response = evaluator_client.post(
        url, {"dimension": "service", field(year, "service-online"): "31", "_submit": "1"}
    )
    assert response.status_code == 200
    assert 'value="31"' in response.content.decode()
    assert Score.objects.get().points == Decimal(30)
    response = evaluator_client.post(
        url,
        {
            "dimension": "service",
            field(year, "service-online"): "31",
            field(year, "service-mobile"): "52.5",
            "_submit": "1",
        },
    )
    assert response.status_code == 302
    assert sorted(Score.objects.values_list("points", "status")) == [
        (Decimal(31), "submitted"),
        (Decimal("52.5"), "submitted"),
    ]


def test_points_above_the_maximum_are_an_error_on_the_field(evaluator_client, year):
    response = evaluator_client.post(
        panel_url(year), {"dimension": "service", field(year, "service-online"): "41", "_save": "1"}
    )
    assert response.status_code == 200
    assert 'value="41"' in response.content.decode()
    assert not Score.objects.exists()


def test_locked_once_computed(evaluator_client, year):
    services.evaluation_compute(evaluation=year.evaluation, by=year.organiser, reason="测试")
    page = evaluator_client.get(panel_url(year)).content.decode()
    assert 'id="locked"' in page
    assert 'name="_submit"' not in page
    response = evaluator_client.post(
        panel_url(year), {"dimension": "service", field(year, "service-online"): "30", "_save": "1"}
    )
    assert response.status_code == 200
    assert not Score.objects.exists()


def workbook(rows) -> io.BytesIO:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "scores.xlsx"
    return buffer


def test_an_import_with_an_error_shows_every_bad_cell_and_writes_nothing(evaluator_client, year):
    upload = workbook(
        [
            ["单位", "service-online", "service-mobile", "platform-security", "no-such-code"],
            ["广东", 38, 55, 90, 1],
            ["贵州", "很好", 61, 80, None],
            ["审计署", 10, 50, 70, None],
            ["火星省", 1, 1, 1, None],
        ]
    )
    response = evaluator_client.post("/evaluate/evaluation/surveyedagency/import/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="preview-errors"' in page
    assert "“no-such-code”" in page  # the unknown column
    assert "“很好”不是数字。" in page
    assert "分数必须在0到60之间。" in page  # 贵州's 61 points of 60
    assert "“事项网上可办”不适用于审计署。" in page
    assert "没有名为“火星省”的单位" in page
    assert "有5个单元格有错误，未写入任何数据。" in page
    assert 'id="confirm-import"' not in page
    assert not Score.objects.exists() and not ScoreChange.objects.exists()


def test_a_clean_import_is_previewed_then_written(evaluator_client, year):
    upload = workbook(
        [
            ["单位", "service-online", "service-mobile", "platform-security"],
            ["广东", 38, 55.5, 90],
            ["贵州省", None, 50, 80],  # the official name works too; a blank cell writes nothing
        ]
    )
    response = evaluator_client.post(
        "/evaluate/evaluation/surveyedagency/import/", {"file": upload, "submit": "on"}
    )
    page = response.content.decode()
    assert 'id="preview-ok"' in page
    assert not Score.objects.exists()  # a preview writes nothing
    payload = response.context["payload"]
    response = evaluator_client.post("/evaluate/evaluation/surveyedagency/import/", {"payload": payload})
    assert response.status_code == 302
    assert Score.objects.count() == 5
    assert set(Score.objects.values_list("status", flat=True)) == {"submitted"}
    assert ScoreChange.objects.filter(reason="表格导入", by=year.evaluator).count() == 5
    # A tampered payload is refused.
    response = evaluator_client.post(
        "/evaluate/evaluation/surveyedagency/import/", {"payload": payload + "x"}
    )
    assert response.status_code == 302
    assert Score.objects.count() == 5


def test_not_a_spreadsheet(evaluator_client, year):
    upload = io.BytesIO(b"not a workbook")
    upload.name = "scores.xlsx"
    page = evaluator_client.post(
        "/evaluate/evaluation/surveyedagency/import/", {"file": upload}
    ).content.decode()
    assert 'id="file-error"' in page
    assert not Score.objects.exists()


def test_roles_stay_apart(client, year):
    reviewer = factories.ReviewerFactory()
    client.force_login(reviewer)
    response = client.get(panel_url(year))
    assert response.status_code == 302 and response["Location"].startswith("/evaluate/login/")
    client.force_login(year.evaluator)
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith("/review/login/")
    assert client.get("/admin/").status_code == 302
    response = client.post("/evaluate/login/", {"username": reviewer.username, "password": "x"})
    assert response.status_code == 200


def list_queries(client) -> tuple[int, int]:
    """The queries of the agency list and how many agencies it shows (session and user read beforehand)."""
    client.get("/evaluate/evaluation/surveyedagency/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/evaluate/evaluation/surveyedagency/").content.decode()
    return len(queries), page.count('class="field-submitted_scores"')


def test_the_agency_list_takes_the_same_queries_for_3_agencies_as_for_63(evaluator_client, year):
    few, shown = list_queries(evaluator_client)
    assert shown == 3
    services.surveyed_add(
        evaluation=year.evaluation, agencies=[factories.AgencyFactory() for _ in range(60)], by=year.organiser
    )
    mobile = year.system()["service-mobile"]
    services.scores_save(
        evaluation=year.evaluation,
        values=[
            services.ScoreValue(s, mobile, Decimal(10))
            for s in year.evaluation.surveyed.select_related("agency")
        ],
        submit=True,
        by=year.evaluator,
    )
    many, shown = list_queries(evaluator_client)
    assert (many, shown) == (few, 63)


def test_an_organiser_computes_and_publishes_on_confirmation_pages(client, year):
    client.force_login(year.organiser)
    steps = f"/admin/evaluation/evaluation/{year.evaluation.pk}/step/"
    page = client.get(steps + "compute/").content.decode()
    assert 'id="outstanding"' in page and "有8项评分缺失或仍为草稿" in page
    response = client.post(steps + "compute/", {"reason": ""})
    assert "如要继续，请说明理由" in response.content.decode()
    year.evaluation.refresh_from_db()
    assert year.evaluation.status == "scoring"
    response = client.post(steps + "compute/", {"reason": "其余按零分计"})
    assert response.status_code == 302
    assert client.post(steps + "publish/", {"reason": ""}).status_code == 302
    assert client.get("/evaluation/2024.json").json()["version"] == 1
    page = client.get(steps + "publish/").content.decode()
    assert "这将是第2版" in page
    response = client.post(steps + "copy/", {"year": "2025"})
    assert response.status_code == 302
    assert client.get("/admin/evaluation/evaluation/").content.decode().count("/step/compute/") == 2


def test_the_downloaded_sheet_filled_in_imports_back(evaluator_client, year):
    from openpyxl import load_workbook

    response = evaluator_client.get("/evaluate/evaluation/surveyedagency/import/template.xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="scores-2024.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert [cell.value for cell in sheet[1]][1:] == ["service-online", "service-mobile", "platform-security"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {"审计署", "广东", "贵州"}
    rows["广东"][1].value, rows["广东"][2].value, rows["广东"][3].value = 40, 60, 100
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "scores-2024.xlsx"
    response = evaluator_client.post("/evaluate/evaluation/surveyedagency/import/", {"file": buffer})
    assert 'id="preview-ok"' in response.content.decode()
    evaluator_client.post(
        "/evaluate/evaluation/surveyedagency/import/", {"payload": response.context["payload"]}
    )
    assert sorted(Score.objects.values_list("points", flat=True)) == [40, 60, 100]
