"""The evaluation in a browser: an evaluator scores an agency's panels, the organiser computes and publishes
on the confirmation pages, the public reads the ranking sentence and the agency its own report."""

import pytest

from govcases.models import AgencyMember
from tests import factories
from tests.evaluation.scenario import make_year

from .browser import log_in, log_out, visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def year(transactional_db):
    return make_year()


def fill_panel(page, year, agency: str, points: dict) -> None:
    surveyed = year.surveyed[agency]
    visit(page, f"/evaluate/evaluation/surveyedagency/{surveyed.pk}/change/")
    for dimension in {year.indicators[code].dimension.code for code in points}:
        panel = page.locator(f"#panel-{dimension}")
        values = {
            code: value for code, value in points.items() if year.indicators[code].dimension.code == dimension
        }
        for code, value in values.items():
            panel.locator(f"[name=indicator_{year.indicators[code].pk}]").fill(str(value))
        with page.expect_navigation():
            panel.locator("[name=_submit]").click()
        assert page.locator(".messagelist .success").count() == 1, page.locator("#content").inner_text()


def test_scored_computed_published_and_read(page, screenshot, year):
    log_in(page, year.evaluator)
    assert "/evaluate/evaluation/surveyedagency/" in page.url  # sent where an evaluator's work is
    assert page.locator("#agency-website").count() == 0
    fill_panel(page, year, "广东省", {"service-online": 38, "service-mobile": 57, "platform-security": 95})
    assert page.locator("#agency-website").get_attribute("href") == "https://www.gd.gov.example/"
    screenshot(page, "evaluator-panel")
    fill_panel(page, year, "贵州省", {"service-online": 30, "service-mobile": 50, "platform-security": 85})
    fill_panel(page, year, "审计署", {"service-mobile": 54, "platform-security": 90})
    log_out(page)

    log_in(page, year.organiser)
    steps = f"/admin/evaluation/evaluation/{year.evaluation.pk}/step/"
    visit(page, steps + "compute/")
    assert page.locator("#outstanding").count() == 0  # every score is in
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    visit(page, steps + "publish/")
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    log_out(page)

    visit(page, "/evaluation/2024/")
    assert page.locator("#group-province .sentence").inner_text() == "广东位列第一名，贵州位列第二名。"
    assert page.locator("#tier-provincial .excellent").inner_text() == "广东"
    screenshot(page, "public-page")

    officer = factories.UserFactory()
    AgencyMember.objects.create(user=officer, agency=year.agencies["贵州省"])
    log_in(page, officer)
    visit(page, "/portal/evaluation/")
    assert "第2名" in page.locator("#groups-2024").inner_text()
    assert "良好" in page.locator("#groups-2024").inner_text()
