"""The public site in a browser: the filters of /cases/ and the pages on a phone-sized screen."""

import pytest

from govcases.enums import Level, Province

from .browser import visit
from .conftest import PHONE, assert_no_problems, open_context, watched_page
from .data import CASES_2023, CASES_2024, published_round

pytestmark = pytest.mark.e2e


@pytest.fixture
def published(transactional_db):
    """2024 with five cases across categories, levels and provinces; 2023 with one case."""
    publication, cases_2024 = published_round(2024, CASES_2024)
    _publication, cases_2023 = published_round(2023, CASES_2023)
    return {**cases_2024, **cases_2023}


def card_titles(page) -> set[str]:
    return set(page.locator("li.case-card .title").all_inner_texts())


def apply_filters(page, **choices) -> None:
    """Chooses values in the filter form the way a visitor does, then presses the form's button."""
    form = page.locator("form#filters")
    for name, value in choices.items():
        if name == "q":
            form.locator("[name=q]").fill(value)
        else:
            form.locator(f"select[name={name}]").select_option(value)
    with page.expect_navigation():
        form.locator("[type=submit]").click()


ALL_TITLES = {spec.title for spec in CASES_2024 + CASES_2023}


# Each filter alone, then several together: (what the visitor chooses, the titles of the cards that remain).
FILTERS = {
    "category": ({"category": "service"}, {"“京通”一网通办", "企业开办“一日办结”", "不动产登记“跨省通办”"}),
    "level": ({"level": Level.MINISTRY}, {"政策文件图解专栏"}),
    "province": ({"province": Province.ZHEJIANG}, {"12345热线快速响应"}),
    "year": ({"year": "2023"}, {"不动产登记“跨省通办”"}),
    "q-title": ({"q": "热线"}, {"12345热线快速响应"}),
    "q-agency": ({"q": "黔南"}, {"政务云统一支撑平台"}),
    "combined": (
        {"category": "service", "year": "2024", "province": Province.GUANGDONG},
        {"企业开办“一日办结”"},
    ),
}


def test_filters_on_the_case_list_leave_the_matching_cards(page, screenshot, published):
    # One test walks through every filter: the data are built (and the database emptied) once, not per filter.
    for step, (choices, expected) in FILTERS.items():
        visit(page, "/cases/")
        assert card_titles(page) == ALL_TITLES

        apply_filters(page, **choices)

        screenshot(page, step)
        assert card_titles(page) == expected, step
        # The form shows what was chosen, so that the visitor sees why the list is shorter.
        for name, value in choices.items():
            assert page.locator(f"form#filters [name={name}]").input_value() == str(value), step


def test_a_filter_that_matches_nothing_says_so(page, published):
    visit(page, "/cases/")
    apply_filters(page, q="不存在的案例")
    assert card_titles(page) == set()
    assert page.locator("#no-cases").is_visible()


def test_a_card_leads_to_the_case_page(page, screenshot, published):
    case = published["“京通”一网通办"]
    visit(page, "/cases/")
    with page.expect_navigation():
        page.locator(f"#case-{case.pk} a").click()
    assert page.locator("#case-title").inner_text() == case.title
    assert page.locator("#case-agency").inner_text() == case.agency.display_name
    screenshot(page, "case")


def assert_fits_the_screen(page) -> None:
    """Nothing is wider than the screen: the visitor never scrolls sideways."""
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " wide: [...document.querySelectorAll('body *')]"
        "   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)"
        "   .slice(0, 5).map(e => e.tagName + '.' + e.className)})"
    )
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways: {widths}"


def assert_cards_readable(page) -> None:
    """Each card takes (nearly) the screen's width, inside it, and its title is in a readable size."""
    cards = page.locator("li.case-card")
    assert cards.count() > 0
    for index in range(cards.count()):
        card = cards.nth(index)
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert box["width"] >= PHONE["width"] * 0.75, f"card squeezed to {box['width']}px"
        title = card.locator(".title")
        assert title.is_visible()
        size = title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 14, f"title font is {size}px"


def test_public_pages_fit_a_phone_screen(browser, live_server, screenshot, published):
    context = open_context(
        browser, live_server, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    try:
        page = watched_page(context)
        case = published["政务云统一支撑平台"]  # the longest agency name
        pages = {
            "home": ("/", True),
            "results": ("/results/2024/", True),
            "cases": ("/cases/", True),
            "filtered": ("/cases/?category=service&year=2024", True),
            "case": (f"/cases/{case.pk}/", False),
            "stats": ("/results/2024/stats/", False),
        }
        for step, (path, has_cards) in pages.items():
            visit(page, path)
            screenshot(page, step)
            assert_fits_the_screen(page)
            if has_cards:
                assert_cards_readable(page)
        assert_no_problems(page)
    finally:
        context.close()
