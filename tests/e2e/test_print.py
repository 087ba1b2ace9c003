"""A public case page on paper: the print stylesheet keeps the content and drops the site's controls."""

import pytest

from .browser import visit
from .data import CASES_2024, published_round

pytestmark = pytest.mark.e2e


def shown(page, selector: str) -> bool:
    return page.evaluate(f"() => getComputedStyle(document.querySelector('{selector}')).display !== 'none'")


def test_a_printed_case_page_has_the_case_without_the_menus(page, screenshot, transactional_db):
    _publication, cases = published_round(2024, CASES_2024)
    case = cases["“京通”一网通办"]
    visit(page, f"/cases/{case.pk}/")
    page.locator("button[data-preference='high-contrast']").click()  # a screen preference, not for paper

    page.emulate_media(media="print")
    screenshot(page, "print")

    assert not shown(page, ".site-header") and not shown(page, "#display-switches")
    assert shown(page, "#case-title") and shown(page, ".site-footer")
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
    # The live service's address is printed after its link, since paper cannot be clicked.
    after = page.evaluate(
        "() => getComputedStyle(document.querySelector('.published-case a[rel~=external]'), '::after').content"
    )
    assert case.service_url in after
