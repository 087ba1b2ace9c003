"""Two-factor sign-in (TOTP with backup codes) for organisers and reviewers, with real codes: set-up with
the QR code, the second step at sign-in, backup codes once each, and the admin sites' refusal without it."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.translation import ngettext
from django_otp.middleware import OTPMiddleware
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import SignInKind, SignInOutcome
from accounts.models import SignInEvent
from govcases.sites import OrganiserAdminSite
from reviews.sites import review_site
from tests import factories
from tests.test_access_matrix import ROUTES
from tests.twofactor import authenticator, code_for_step, current_code, current_step

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED = True


def password_login(client, user, url="/accounts/login/"):
    return client.post(url, {"username": user.username, "password": factories.PASSWORD})


def enter_code(client, code, next_url="/admin/"):
    return client.post("/accounts/two-factor/", {"token": code, "next": next_url})


def test_an_organiser_without_an_authenticator_sets_one_up_after_the_password(client, organiser):
    answer = password_login(client, organiser)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/two-factor/setup/")

    page = client.get(answer["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server (no script, no other site)
    device = TOTPDevice.objects.get(user=organiser, confirmed=False)
    secret = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)<', html).group(1)
    assert secret.replace(" ", "") in device.config_url

    wrong = client.post(
        answer["Location"], {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and wrong.context["form"].errors["token"]
    assert client.get("/admin/").status_code == 302  # still not in
    time.sleep(1.1)  # after a wrong code, django-otp takes the next one only after a pause (1 s, then 2, 4…)

    confirmed = client.post(answer["Location"], {"token": current_code(device)})
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10 and all(code in confirmed.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/admin/").status_code == 200
    assert SignInEvent.objects.filter(kind=SignInKind.DEVICE, outcome=SignInOutcome.SUCCESS, user=organiser)


def test_an_organiser_with_an_authenticator_enters_its_code_before_the_admin(client, organiser):
    device = authenticator(organiser)
    answer = password_login(client, organiser)
    assert answer["Location"].startswith("/accounts/two-factor/?next=")

    # The password alone opens nothing: every page leads to the second step.
    before = client.get("/admin/govcases/case/")
    assert before.status_code == 302 and before["Location"].startswith("/accounts/two-factor/")

    assert (
        enter_code(client, current_code(device), "/admin/govcases/case/")["Location"]
        == "/admin/govcases/case/"
    )
    assert client.get("/admin/govcases/case/").status_code == 200
    assert SignInEvent.objects.filter(kind=SignInKind.TWO_FACTOR, outcome=SignInOutcome.SUCCESS).count() == 1


def test_a_wrong_code_is_refused_and_recorded(client, organiser):
    device = authenticator(organiser)
    password_login(client, organiser)
    step = current_step(device)
    right = {code_for_step(device, s) for s in (step - 1, step, step + 1)}
    wrong = next(code for code in ("123456", "654321", "111111") if code not in right)

    answer = enter_code(client, wrong)

    assert answer.status_code == 200
    assert "two-factor-form" in answer.content.decode()
    assert client.get("/admin/").status_code == 302
    assert SignInEvent.objects.filter(kind=SignInKind.TWO_FACTOR, outcome=SignInOutcome.FAILURE).count() == 1


def test_a_code_is_taken_only_once(organiser):
    device = authenticator(organiser)
    code = current_code(device)
    first, second = Client(), Client()
    password_login(first, organiser)
    password_login(second, organiser)

    assert enter_code(first, code).status_code == 302
    assert enter_code(second, code).status_code == 200  # replayed: refused
    assert second.get("/admin/").status_code == 302


def test_a_backup_code_signs_in_once(client, reviewer):
    authenticator(reviewer)
    password_login(client, reviewer, "/review/login/")
    # Set up earlier: the backup codes are the ones shown then.
    from accounts.services import backup_codes_issue

    codes = backup_codes_issue(user=reviewer)

    assert enter_code(client, codes[0].upper(), "/review/")["Location"] == "/review/"
    queue = client.get("/review/reviews/assignment/")
    assert queue.status_code == 200
    with translation.override("zh-hans"):
        left = ngettext(
            "You signed in with a backup code; %(count)d is left.",
            "You signed in with a backup code; %(count)d are left.",
            9,
        ) % {"count": 9}
    assert "9" in left and "are left" not in left
    assert left in queue.content.decode()
    assert 'href="/accounts/two-factor/backup-codes/"' in queue.content.decode()
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    again = Client()
    password_login(again, reviewer, "/review/login/")
    assert enter_code(again, codes[0], "/review/").status_code == 200
    assert again.get("/review/reviews/assignment/").status_code == 302


def test_the_password_alone_cannot_replace_the_authenticator(client, organiser):
    authenticator(organiser)
    password_login(client, organiser)

    answer = client.get("/accounts/two-factor/setup/")

    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/two-factor/?next=")
    assert TOTPDevice.objects.filter(user=organiser).count() == 1


def test_agency_officers_are_not_asked_for_a_code(client, officer):
    answer = password_login(client, officer)
    assert answer["Location"] == "/accounts/home/"
    assert client.get("/portal/").status_code == 200


@pytest.mark.parametrize(("site", "role"), [("admin", "organiser"), ("review", "reviewer")])
def test_the_admin_sites_refuse_a_session_without_a_second_factor(site, role, organiser, reviewer, settings):
    """The sites' own check, underneath the middleware that sends users to the second step."""
    user = {"organiser": organiser, "reviewer": reviewer}[role]
    admin_site = OrganiserAdminSite() if site == "admin" else review_site
    request = RequestFactory().get(f"/{site}/")
    request.user = user
    request.session = {}
    OTPMiddleware(lambda request: None)(request)  # marks request.user as verified or not, as in production

    assert not admin_site.has_permission(request)

    settings.TWO_FACTOR_REQUIRED = False
    assert admin_site.has_permission(request)

    request.user = AnonymousUser()
    assert not admin_site.has_permission(request)


def test_an_organiser_removes_a_lost_authenticator_and_the_owner_sets_up_a_new_one(reviewer, organiser):
    lost = authenticator(reviewer)
    admin = Client()
    device = authenticator(organiser)
    password_login(admin, organiser)
    enter_code(admin, current_code(device))

    page = admin.get(f"/admin/accounts/authenticator/{lost.pk}/delete/")
    assert page.status_code == 200
    assert lost.key not in page.content.decode()  # the secret is never shown
    admin.post(f"/admin/accounts/authenticator/{lost.pk}/delete/", {"post": "yes"})

    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()
    removal = SignInEvent.objects.get(kind=SignInKind.DEVICE, outcome=SignInOutcome.REMOVED)
    assert (removal.user, removal.by) == (reviewer, organiser)
    owner = Client()
    assert password_login(owner, reviewer, "/accounts/login/")["Location"].startswith(
        "/accounts/two-factor/setup/"
    )


def test_without_the_requirement_organisers_go_straight_in(client, organiser, settings):
    settings.TWO_FACTOR_REQUIRED = False
    assert password_login(client, organiser)["Location"] == "/accounts/home/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize(
    ("environment", "required"),
    [
        ({"DEBUG": "0"}, True),
        ({"DEBUG": "0", "TWO_FACTOR_REQUIRED": "0"}, False),
        ({"DEBUG": "1"}, False),
        ({"DEBUG": "1", "TWO_FACTOR_REQUIRED": "1"}, True),
    ],
)
def test_two_factor_is_on_by_default_in_production_and_switchable(environment, required):
    env = {"SECRET_KEY": "x" * 60, "PATH": "/usr/bin:/bin", **environment}
    shown = subprocess.run(
        [sys.executable, "-c", "from govcases import settings; print(settings.TWO_FACTOR_REQUIRED)"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert shown == str(required)


def test_a_verified_session_costs_one_query_per_page(organiser, settings, django_assert_max_num_queries):
    """django-otp reads the session's device once per request; nothing else of two-factor queries."""
    device = authenticator(organiser)
    verified, password_only = Client(), Client()
    password_login(verified, organiser)
    enter_code(verified, current_code(device))
    password_only.force_login(organiser)

    def queries_of_the_case_list(client) -> int:
        client.get("/admin/govcases/case/")  # warm: the session's last-seen time is written at most once
        with django_assert_max_num_queries(100) as queries:
            assert client.get("/admin/govcases/case/").status_code == 200
        return len(queries.captured_queries)

    with_two_factor = queries_of_the_case_list(verified)
    settings.TWO_FACTOR_REQUIRED = False
    without = queries_of_the_case_list(password_only)

    assert with_two_factor == without + 1


ADMIN_PAGES = sorted(
    route.route
    for route in ROUTES
    if route.site in {"admin", "review"} and not route.converters and not route.name.endswith("logout")
)


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_no_admin_page_opens_to_a_password_alone(path, organiser, reviewer):
    """Every page of /admin/ and /review/ without parameters, for an organiser and a reviewer who gave
    their password but no code: each is sent to the second step."""
    for user in (organiser, reviewer):
        authenticator(user)
        client = Client()
        password_login(client, user)

        answer = client.get(f"/{path}")

        assert answer.status_code == 302, f"/{path} answered {answer.status_code} to {user}"
        assert answer["Location"].startswith("/accounts/two-factor/?next="), answer["Location"]
