import pytest

from tests import factories

from .browser import log_in

pytestmark = pytest.mark.e2e


def test_officer_logs_in_through_the_form_and_lands_in_the_portal(page, screenshot):
    officer = factories.AgencyMemberFactory().user
    log_in(page, officer)
    assert page.url.endswith("/portal/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, "portal")
