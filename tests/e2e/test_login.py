import base64
import time

import pytest
from django_otp.oath import TOTP

from tests import factories

from .browser import log_in, log_out

pytestmark = pytest.mark.e2e


def test_officer_logs_in_through_the_form_and_lands_in_the_portal(page, screenshot):
    officer = factories.AgencyMemberFactory().user
    log_in(page, officer)
    assert page.url.endswith("/portal/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    screenshot(page, "portal")


def test_an_organiser_sets_up_two_factor_sign_in_and_then_signs_in_with_a_code(page, screenshot):
    organiser = factories.OrganiserFactory()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", organiser.username)
    page.fill("input[name=password]", factories.PASSWORD)
    with page.expect_navigation():
        page.locator("#login-form [type=submit]").click()
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator("#two-factor-qr").evaluate("image => image.naturalWidth") > 0  # the QR code shows
    screenshot(page, "setup")

    # The phone app: the key as typed in by hand, turned into the current code (RFC 6238).
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    code = totp_now(secret)
    page.fill("input[name=token]", code)
    with page.expect_navigation():
        page.locator("#two-factor-setup-form [type=submit]").click()
    codes = page.locator("#backup-codes li").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "backup-codes")
    with page.expect_navigation():
        page.locator("a.button.primary").click()
    assert page.url.endswith("/admin/")

    # Next time: password, then the app's code.
    log_out(page)
    log_in(page, organiser)
    assert page.url.endswith("/admin/")
    assert page.locator("#site-name, h1").first.inner_text()


def totp_now(secret: str) -> str:
    """What an authenticator app shows for a base32 key now (RFC 6238: SHA-1, 30 seconds, six digits)."""
    generator = TOTP(base64.b32decode(secret), step=30, digits=6)
    generator.time = time.time()
    return f"{generator.token():06d}"
