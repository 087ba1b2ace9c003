"""An agency officer who cannot use a mouse: logs in, writes a case, attaches a picture and submits it with
the keyboard alone (Tab, typing, arrow keys, Space and Enter)."""

import pytest

from govcases.enums import CaseStatus
from govcases.models import Case
from tests import factories

from .browser import visit
from .test_whole_round import screenshot_png

pytestmark = pytest.mark.e2e

TYPED = {
    "username": None,  # filled in per test
    "password": factories.PASSWORD,
    "title": "适老化“一键通”政务服务",
    "summary": "为老年人提供大字版、语音读屏和一键呼叫人工服务的政务服务入口。",
    "description": "整合常用事项，页面支持放大字体和高对比度，全程可用键盘和读屏软件操作。",
    "outcomes": "老年用户办件量增长3倍，满意度达98%。",
    "service_url": "https://zwfw.example.gov.cn/elderly",
    "contact_name": "李华",
    "contact_phone": "010-87654321",
    "contact_email": "lihua@example.cn",
}
MAX_TABS = 120


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName.toLowerCase(), name: e.name || "", id: e.id || "", type: e.type || ""}; }"""
    )


def tab_to(page, matches) -> dict:
    """Presses Tab until the focused element satisfies `matches`; fails if it never does."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        element = focused(page)
        if matches(element):
            return element
    raise AssertionError("Tab never reached the element")


def test_an_officer_submits_a_case_with_the_keyboard_alone(page, screenshot, transactional_db, tmp_path):
    factories.RoundFactory(year=2025)
    officer = factories.AgencyMemberFactory(
        agency=factories.AgencyFactory(name="浙江省人民政府", display_name="浙江省")
    ).user
    typed = {**TYPED, "username": officer.get_username()}
    picture = screenshot_png(tmp_path / "老年人服务专区.png")

    visit(page, "/accounts/login/")
    tab_to(page, lambda element: element["name"] == "username")
    page.keyboard.type(typed["username"])
    page.keyboard.press("Tab")
    page.keyboard.type(typed["password"])
    with page.expect_navigation():
        page.keyboard.press("Enter")

    visit(page, "/portal/")
    tab_to(page, lambda element: element["id"] == "new-case")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/portal/cases/new/" in page.url

    # Through the form in the order of its fields, as Tab visits them.
    done = set()
    while True:
        element = tab_to(
            page,
            lambda element: (
                element["name"] in typed
                or element["name"] in ("category", "images")
                or element["id"] == "save-and-submit"
            ),
        )
        if element["id"] == "save-and-submit":
            break
        if element["name"] == "category":
            page.keyboard.press("ArrowDown")  # the first category
        elif element["name"] == "images":
            with page.expect_file_chooser() as chooser:
                page.keyboard.press("Space")
            chooser.value.set_files(picture)
        else:
            page.keyboard.type(typed[element["name"]])
        done.add(element["name"])
    assert done >= {"category", "images", "title", "summary", "outcomes", "contact_email"}, done
    screenshot(page, "filled")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    screenshot(page, "submitted")
    case = Case.objects.get(agency=officer.agency_membership.agency)
    assert case.status == CaseStatus.SUBMITTED, page.locator("#error-summary").all_inner_texts()
    assert (case.title, case.contact_email, case.images.count()) == (
        typed["title"],
        typed["contact_email"],
        1,
    )
    assert page.locator("#receipt #reference").inner_text() == case.reference
