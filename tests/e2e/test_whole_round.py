"""The whole round in one browser: an agency submits, an organiser runs the round, a reviewer scores, the
organiser selects and publishes, and the public and the agency see the result."""

import re

import pytest
from PIL import Image, ImageDraw

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.models import Case, Category, Round
from reviews.models import Assignment, Criterion
from tests import factories

from .browser import in_chinese, log_in, log_out, visit
from .conftest import open_context

pytestmark = pytest.mark.e2e

TITLE = "海淀“一网通办”企业开办全程网办"
FIELDS = {
    "title": TITLE,
    "summary": "依托一体化政务服务平台，企业开办全程网办、一日办结。",
    "description": "围绕企业和群众办事堵点，推进业务流程再造与数据共享，实现“一表申请、一窗受理、一次办结”。",
    "outcomes": "办理时限由5个工作日压缩至1个工作日，群众满意度达99%。",
    "service_url": "https://zwfw.example.gov.cn/haidian",
    "contact_name": "张敏",
    "contact_phone": "010-12345678",
    "contact_email": "zhangmin@example.cn",
}
POINTS = [27, 25, 18, 17]  # within the 2024 rubric's maxima 30/30/20/20: 87 in all


def screenshot_png(path) -> str:
    """A screenshot-like picture of the service, made here rather than shipped with the tests."""
    picture = Image.new("RGB", (800, 500), (245, 245, 245))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, 0, 800, 70), fill=(179, 38, 30))
    for row in range(4):
        draw.rectangle((60, 120 + row * 90, 740, 180 + row * 90), outline=(120, 120, 120), width=3)
    picture.save(path, "PNG")
    return str(path)


def confirm_step(page, round_pk: int, reason: str = "") -> None:
    """From the round's admin page, follows "Next phase…" to its confirmation page and confirms; with work
    outstanding, ticks the override and gives the reason."""
    visit(page, f"/admin/govcases/round/{round_pk}/change/")
    with page.expect_navigation():
        page.locator("a.round-step").click()
    if reason:
        page.check("[name=override]")
        page.fill("[name=reason]", reason)
    with page.expect_navigation():
        page.locator("#step-form [type=submit]").click()


def error_messages(page) -> list[str]:
    return page.locator(".messagelist .error, .errornote, .errorlist").all_inner_texts()


@pytest.fixture
def round_2024(transactional_db):
    """The open 2024 round, kept small: one seat (in 公开解读), one review per case, and the 2024 rubric."""
    round = factories.RoundFactory(year=2024, quotas=[1, 0, 0, 0], reviews_per_case=1)
    disclosure = Category.objects.get(code="disclosure")
    factories.rubric(round, disclosure)
    return round


def test_the_whole_round(page, screenshot, round_2024, tmp_path, browser, live_server):
    round = round_2024
    disclosure = Category.objects.get(code="disclosure")
    agency = factories.AgencyFactory(
        name="北京市海淀区人民政府",
        display_name="北京海淀区",
        level=Level.DISTRICT,
        province=Province.BEIJING,
    )
    officer = factories.AgencyMemberFactory(agency=agency).user
    organiser = factories.OrganiserFactory()
    reviewer = factories.ReviewerFactory(profile__institution="中国社会科学院")

    # 1. The agency officer writes a draft with a picture, submits it and gets a receipt.
    log_in(page, officer)
    with page.expect_navigation():
        page.locator("#new-case").click()
    page.select_option("select[name=category]", label=disclosure.name)
    for name, value in FIELDS.items():
        page.fill(f"form [name={name}]", value)
    page.set_input_files("input[type=file][name=images]", screenshot_png(tmp_path / "网办页面截图.png"))
    screenshot(page, "01-draft")
    with page.expect_navigation():
        page.locator("#save").click()
    case = Case.objects.get(agency=agency)
    assert case.images.count() == 1, page.locator("#error-summary").all_inner_texts()
    assert (case.status, case.title) == (CaseStatus.DRAFT, TITLE)

    visit(page, f"/portal/cases/{case.pk}/")
    with page.expect_navigation():
        page.locator("#submit").click()
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED
    assert re.fullmatch(r"2024-\d{4}", case.reference)
    assert page.locator("#receipt #reference").inner_text() == case.reference
    screenshot(page, "02-receipt")
    log_out(page)

    # 2. The organiser closes submissions and opens the review (confirmed on its own page: the deadline is
    #    still ahead, so the step needs the override and a reason), then assigns the reviewers.
    log_in(page, organiser)
    visit(page, f"/admin/govcases/round/{round.pk}/step/review/")
    assert page.locator(".step-outstanding li").count() == 1  # the deadline ahead
    screenshot(page, "03-confirm-review")
    confirm_step(page, round.pk, reason="各地已全部报送，提前开始评审")
    screenshot(page, "03-round-in-review")
    round.refresh_from_db()
    assert round.phase == Phase.REVIEW, error_messages(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW

    # The review progress page of the round has the button that assigns reviewers to every case.
    visit(page, f"/admin/reviews/reviewprogress/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("form[action$='/assign/'] [type=submit]").click()
    screenshot(page, "04-assigned")
    assert list(Assignment.objects.filter(case=case).values_list("reviewer", flat=True)) == [reviewer.pk]
    log_out(page)

    # 3. The reviewer finds the case in the queue, scores it against the rubric and submits.
    log_in(page, reviewer)
    assert "/review/" in page.url
    visit(page, "/review/reviews/assignment/")
    screenshot(page, "05-queue")
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).click()
    criteria = list(Criterion.objects.filter(round=round, category=disclosure).order_by("position"))
    for criterion, points in zip(criteria, POINTS, strict=True):
        page.fill(f"[name=criterion_{criterion.pk}]", str(points))
    page.fill("[name=comment]", "流程再造彻底，数据共享扎实，可复制推广。")
    screenshot(page, "06-scoring")
    with page.expect_navigation():
        page.locator("[name=_submit]").click()
    # Submitting asks first, showing the total that will be locked.
    assert page.locator("#confirm-total").inner_text().replace(" ", "") == f"{sum(POINTS)}/100"
    with page.expect_navigation():
        page.locator("#confirm-submit").click()
    review = Assignment.objects.get(case=case).review
    assert (review.status, review.total) == ("submitted", sum(POINTS)), error_messages(page)
    log_out(page)

    # 4. The organiser opens the selection, stages the top case by rank, selects it and publishes.
    log_in(page, organiser)
    confirm_step(page, round.pk)
    round.refresh_from_db()
    assert round.phase == Phase.SELECTION, error_messages(page)

    visit(page, f"/admin/reviews/selectionboard/{round.pk}/change/")
    with page.expect_navigation():
        page.locator("#propose-form button[value=propose]").click()
    assert page.locator("#quota-disclosure").inner_text().replace(" ", "") == "1/1"
    assert "selected" in page.locator(f"#row-{case.pk}").get_attribute("class")
    # Deselecting and selecting again by hand: the organiser's own decision, staged until publication.
    with page.expect_navigation():
        page.locator(f"#row-{case.pk} button[value=deselect]").click()
    assert page.locator("#quota-disclosure").inner_text().replace(" ", "") == "0/1"
    with page.expect_navigation():
        page.locator(f"#row-{case.pk} button[value=select]").click()
    assert page.locator("#quota-disclosure").inner_text().replace(" ", "") == "1/1"
    screenshot(page, "07-selection-board")

    # Staged decisions stay hidden: the agency (in its own browser) and the public see nothing yet.
    agency_browser = open_context(browser, live_server)
    try:
        agency_page = agency_browser.new_page()
        log_in(agency_page, officer)
        visit(agency_page, f"/portal/cases/{case.pk}/")
        assert agency_page.locator("#outcome").count() == 0
        assert agency_page.locator("#status").inner_text() == in_chinese(CaseStatus.IN_REVIEW.label)
        assert agency_page.goto("/results/2024/").status == 404
    finally:
        agency_browser.close()

    with page.expect_navigation():
        page.locator("#publish-form button[value=publish]").click()
    screenshot(page, "08-published")
    round.refresh_from_db()
    assert round.phase == Phase.PUBLISHED, error_messages(page)
    log_out(page)

    # 5. The public results page shows the case, with its agency as published.
    visit(page, "/results/2024/")
    card = page.locator(f"#category-disclosure #case-{case.pk}")
    assert card.locator(".title").inner_text() == TITLE
    assert card.locator(".agency").inner_text() == "北京海淀区"
    screenshot(page, "09-results")
    with page.expect_navigation():
        card.locator("a").click()
    assert page.locator("#case-title").inner_text() == TITLE
    image = page.locator("#gallery img").first
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.complete && img.naturalWidth") == 800
    # No private field reaches the public page.
    assert FIELDS["contact_phone"] not in page.content()
    assert FIELDS["contact_name"] not in page.content()
    screenshot(page, "10-public-case")

    # 6. The agency's portal shows the outcome.
    log_in(page, officer)
    visit(page, f"/portal/cases/{case.pk}/")
    assert page.locator("#outcome.outcome-selected").is_visible()
    assert page.locator("#status").inner_text() == in_chinese(CaseStatus.SELECTED.label)
    screenshot(page, "11-portal-outcome")
    visit(page, "/portal/")
    assert page.locator("#cases").get_by_text(in_chinese(CaseStatus.SELECTED.label)).is_visible()
    assert Round.objects.get(pk=round.pk).publications.count() == 1
