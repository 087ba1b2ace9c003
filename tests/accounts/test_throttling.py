"""Login throttling that cannot be turned against an account's owner: failures lock a user name only from
the address they came from (behind the proxy too), one address is stopped across user names, and organisers
lift locks in /admin/ (recorded)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.enums import SignInKind, SignInOutcome
from accounts.models import LoginLock, SignInEvent
from tests import factories

pytestmark = pytest.mark.django_db

ATTACKER, OWNER, PROXY = "198.51.100.7", "203.0.113.5", "10.0.0.2"


@pytest.fixture
def behind_proxy(settings):
    """One nginx in front of the app: every request arrives from the proxy's address."""
    settings.TRUSTED_PROXY_COUNT = 1


def post_login(client, username, password, forwarded_for, url="/accounts/login/"):
    return client.post(
        url,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_failures_from_one_address_do_not_lock_the_owner_at_another(client, officer, behind_proxy):
    attempts = [post_login(client, officer.username, "wrong-password", ATTACKER) for _ in range(6)]
    assert attempts[-1].status_code == 429  # the attacker's address is locked for this user name

    owner = post_login(client, officer.username, factories.PASSWORD, OWNER)

    assert owner.status_code == 302
    assert client.session["_auth_user_id"] == str(officer.pk)


def test_an_address_written_by_the_client_is_not_believed(client, officer, behind_proxy):
    # The attacker puts the owner's address in the header; nginx appends the attacker's real one.
    for _ in range(6):
        post_login(client, officer.username, "wrong-password", f"{OWNER}, {ATTACKER}")

    assert post_login(client, officer.username, factories.PASSWORD, OWNER).status_code == 302


def test_many_user_names_from_one_address_are_stopped(client, settings, officer, behind_proxy):
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for number in range(20):
        post_login(client, f"guess{number}", "wrong-password", ATTACKER)

    # Even the right password of a user who never failed is refused from that address…
    refused = post_login(client, officer.username, factories.PASSWORD, ATTACKER)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # …while the same user signs in from elsewhere.
    assert post_login(client, officer.username, factories.PASSWORD, OWNER).status_code == 302


def test_a_few_failures_across_user_names_do_not_stop_an_office(client, settings, officer, behind_proxy):
    """Colleagues behind one office address mistype now and then: below the limit nobody is stopped."""
    settings.AXES_ADDRESS_FAILURE_LIMIT = 20
    for number in range(19):
        post_login(client, f"colleague{number}", "wrong-password", OWNER)

    assert post_login(client, officer.username, factories.PASSWORD, OWNER).status_code == 302


def test_the_lockout_is_recorded(client, officer, behind_proxy):
    for _ in range(5):
        post_login(client, officer.username, "wrong-password", ATTACKER)

    lockout = SignInEvent.objects.get(kind=SignInKind.LOCKOUT)
    assert (lockout.user, lockout.address, lockout.outcome) == (officer, ATTACKER, SignInOutcome.REFUSED)
    failures = SignInEvent.objects.filter(kind=SignInKind.LOGIN, outcome=SignInOutcome.FAILURE)
    assert failures.count() == 5
    assert {event.address for event in failures} == {ATTACKER}


def test_an_organiser_unlocks_an_account_in_the_admin_and_it_is_recorded(client, officer, organiser):
    for _ in range(5):
        client.post("/accounts/login/", {"username": officer.username, "password": "wrong-password"})
    lock = LoginLock.objects.get(username=officer.username)
    assert (
        client.post(
            "/accounts/login/", {"username": officer.username, "password": factories.PASSWORD}
        ).status_code
        == 429
    )

    admin = Client()
    admin.force_login(organiser)
    listing = admin.get("/admin/accounts/loginlock/")
    assert listing.status_code == 200
    assert officer.username in listing.content.decode()
    done = admin.post(
        "/admin/accounts/loginlock/", {"action": "unlock", "_selected_action": [lock.pk]}, follow=True
    )

    assert done.status_code == 200
    assert not AccessAttempt.objects.filter(username=officer.username).exists()
    unlock = SignInEvent.objects.get(kind=SignInKind.UNLOCK)
    assert (unlock.username, unlock.by) == (officer.username, organiser)
    assert (
        client.post(
            "/accounts/login/", {"username": officer.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )


def test_only_organisers_see_the_locks(client, officer, reviewer):
    for user in (officer, reviewer):
        client.force_login(user)
        response = client.get("/admin/accounts/loginlock/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
