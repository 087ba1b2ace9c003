"""The rubric editor in a browser: the running sum follows what the organiser types (JavaScript), rows are added
with a button (no JavaScript needed), and a sum other than 100 is refused with the rows kept."""

import pytest

from reviews.models import Criterion
from tests import factories

from .browser import log_in, visit

pytestmark = pytest.mark.e2e


def test_the_sum_follows_the_typing_and_rows_are_added(page, screenshot, transactional_db):
    round = factories.RoundFactory(year=2025)
    category = round.categories.get(code="platform")
    organiser = factories.OrganiserFactory()
    log_in(page, organiser)
    visit(page, f"/admin/reviews/criterion/rubric/{round.pk}/{category.pk}/")

    page.fill("[name=form-0-name]", "创新性")
    page.fill("[name=form-0-description]", "创新性的评分要点")
    page.fill("[name=form-0-max_points]", "30")
    page.fill("[name=form-1-name]", "实效性")
    page.fill("[name=form-1-description]", "实效性的评分要点")
    page.fill("[name=form-1-max_points]", "30")
    assert page.locator("#rubric-sum").inner_text() == "60"  # while typing, before any request

    with page.expect_navigation():
        page.locator("#rubric-add-row").click()
    assert (
        page.locator("[name=form-2-name]").count() == 1 and page.input_value("[name=form-0-name]") == "创新性"
    )
    page.fill("[name=form-2-name]", "整合度")
    page.fill("[name=form-2-description]", "整合度的评分要点")
    page.fill("[name=form-2-max_points]", "20")
    with page.expect_navigation():
        page.locator("#rubric-add-row").click()
    page.fill("[name=form-3-name]", "持续性")
    page.fill("[name=form-3-description]", "持续性的评分要点")
    page.fill("[name=form-3-max_points]", "10")
    assert page.locator("#rubric-sum").inner_text() == "90"

    with page.expect_navigation():
        page.locator("#rubric-form input.default").click()
    assert "90" in page.locator(".errornote").first.inner_text()
    assert page.input_value("[name=form-3-name]") == "持续性"  # nothing typed is lost
    page.fill("[name=form-3-max_points]", "20")
    assert page.locator("#rubric-sum").inner_text() == "100"
    screenshot(page, "rubric")
    with page.expect_navigation():
        page.locator("#rubric-form input.default").click()
    assert sorted(
        Criterion.objects.filter(round=round, category=category).values_list("max_points", flat=True)
    ) == [
        20,
        20,
        30,
        30,
    ]
