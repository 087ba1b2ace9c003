"""Accessibility (GB/T 37668, WCAG 2.1 AA) in a real browser: axe-core on every public page, the login and
portal pages and the reviewer's scoring page, in the normal and in the larger-type, high-contrast modes."""

import pytest

from govcases.enums import CaseStatus, Phase
from govcases.models import Category
from tests import factories

from .accessibility import accessibility_violations, assert_accessible
from .browser import log_in, visit
from .data import CASES_2023, CASES_2024, published_round

pytestmark = pytest.mark.e2e


@pytest.fixture
def published(transactional_db):
    publication, cases = published_round(2024, CASES_2024)
    published_round(2023, CASES_2023)
    return cases


def public_pages(cases) -> list[str]:
    case = next(iter(cases.values()))
    return [
        "/",
        "/results/",
        "/results/2024/",
        "/results/2024/stats/",
        "/cases/",
        "/cases/?category=service",
        f"/cases/{case.pk}/",
        "/data/",
        "/accounts/login/",
    ]


def switch_on(page, preference: str) -> None:
    """Presses one of the header's display switches (larger type, high contrast)."""
    page.locator(f"button[data-preference='{preference}']").click()


def test_every_public_page_passes_axe_in_every_display_mode(page, context, screenshot, published):
    pages = public_pages(published)
    for path in pages:
        visit(page, path)
        assert_accessible(page)
    # The "not found" page too, in a tab of its own: the browser rightly logs its 404 status as an error.
    not_found = context.new_page()
    assert not_found.goto("/no-such-page/").status == 404
    assert_accessible(not_found)

    # The same pages with larger type and high contrast: the colours of that mode are checked too.
    visit(page, "/")
    switch_on(page, "large-type")
    switch_on(page, "high-contrast")
    for path in pages:
        page.goto(path)
        assert page.locator("html.high-contrast.large-type").count() == 1, path
        assert_accessible(page)


@pytest.fixture
def people(transactional_db):
    """An officer with a draft in the open round, and a reviewer with a case to score in a round in review."""
    open_round = factories.RoundFactory(year=2025)
    officer = factories.AgencyMemberFactory(
        agency=factories.AgencyFactory(name="北京市海淀区人民政府", display_name="北京海淀区")
    ).user
    draft = factories.CaseFactory(
        round=open_round, agency=officer.agency_membership.agency, title="企业开办全程网办"
    )

    review_round = factories.RoundFactory(year=2024, phase=Phase.REVIEW, reviews_per_case=1)
    disclosure = Category.objects.get(code="disclosure")
    factories.rubric(review_round, disclosure)
    reviewer = factories.ReviewerFactory()
    in_review = factories.CaseFactory(
        round=review_round, category=disclosure, status=CaseStatus.IN_REVIEW, title="政策文件图解专栏"
    )
    assignment = factories.AssignmentFactory(reviewer=reviewer, case=in_review)
    return {"officer": officer, "draft": draft, "reviewer": reviewer, "assignment": assignment}


def test_the_portal_and_the_scoring_page_pass_axe(page, screenshot, people):
    log_in(page, people["officer"])
    draft = people["draft"]
    for path in [
        "/portal/",
        "/portal/cases/new/",
        f"/portal/cases/{draft.pk}/",
        f"/portal/cases/{draft.pk}/edit/",
        "/portal/colleagues/",
    ]:
        visit(page, path)
        assert_accessible(page)
    page.context.clear_cookies()

    log_in(page, people["reviewer"])
    visit(page, "/review/reviews/assignment/")
    assert_accessible(page)
    visit(page, f"/review/reviews/assignment/{people['assignment'].pk}/change/")
    screenshot(page, "scoring")
    assert_accessible(page)


def test_the_check_fails_on_what_a_screen_reader_or_a_weak_eye_cannot_use(page):
    """The check can fail: an image without a text, a button without a name, pale grey on white."""
    page.set_content(
        '<html lang="zh"><head><title>t</title></head><body><main>'
        '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
        "<button></button>"
        '<p style="color:#ddd;background:#fff">看不清的文字</p>'
        "</main></body></html>"
    )
    found = "\n".join(accessibility_violations(page))
    for rule in ("image-alt", "button-name", "color-contrast"):
        assert rule in found, found


def line_heights(page) -> list[float]:
    """The ratio of line height to font size of every paragraph, list item, cell and label on the page."""
    return page.evaluate(
        """() => [...document.querySelectorAll('p, li, td, th, dd, label, h1, h2, h3')]
            .filter(element => element.offsetParent !== null)
            .map(element => {
              const style = getComputedStyle(element);
              return parseFloat(style.lineHeight) / parseFloat(style.fontSize);
            })"""
    )


def font_size(page, selector: str) -> float:
    return page.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)")


def test_larger_type_and_high_contrast_are_remembered_by_the_browser_not_the_page(
    page, context, screenshot, published, live_server
):
    case = next(iter(published.values()))
    visit(page, "/results/2024/")
    normal_size = font_size(page, "main p")
    assert min(line_heights(page)) >= 1.3
    screenshot(page, "normal")

    switch_on(page, "large-type")
    assert page.locator("button[data-preference='large-type']").get_attribute("aria-pressed") == "true"
    assert font_size(page, "main p") >= normal_size * 1.2
    screenshot(page, "larger-type")

    switch_on(page, "high-contrast")
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(0, 0, 0)"
    screenshot(page, "high-contrast")

    # Remembered on the next page and after a reload, already set before the page was painted.
    visit(page, f"/cases/{case.pk}/")
    assert page.evaluate("() => document.documentElement.className") == "large-type high-contrast"
    assert min(line_heights(page)) >= 1.3
    screenshot(page, "case-larger-type-high-contrast")
    page.reload()
    assert font_size(page, "main p") >= normal_size * 1.2

    # The server sent the same page as to anyone: the preference is not in the HTML or in a cookie.
    html = page.request.get(f"{live_server.url}/cases/{case.pk}/").text()
    assert "large-type high-contrast" not in html and 'class="large-type' not in html
    assert not [
        cookie for cookie in context.cookies() if "contrast" in cookie["name"] or "type" in cookie["name"]
    ]

    # Pressed again, each switch goes back to the normal display.
    switch_on(page, "large-type")
    switch_on(page, "high-contrast")
    page.reload()
    assert page.evaluate("() => document.documentElement.className") == ""
    assert page.locator("button[data-preference='high-contrast']").get_attribute("aria-pressed") == "false"


def test_the_skip_link_and_a_visible_focus_for_keyboard_users(page, published):
    visit(page, "/results/2024/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("element => element === document.activeElement")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    # The next Tab lands inside the content, past the header's links.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('main') !== null")
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
