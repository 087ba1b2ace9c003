"""Sessions end after 30 idle minutes and at an absolute lifetime, whatever the user does."""

import time

import pytest

from accounts import lifetime
from accounts.enums import SignInKind, SignInOutcome
from accounts.models import SignInEvent
from tests.e2e.browser import in_chinese

MINUTE, HOUR = 60, 60 * 60


@pytest.mark.parametrize(
    ("signed_in_ago", "last_seen_ago", "expected"),
    [
        (10 * MINUTE, 1 * MINUTE, None),
        (10 * MINUTE, 29 * MINUTE, None),
        (2 * HOUR, 31 * MINUTE, lifetime.IDLE),
        (12 * HOUR + 1, 1, lifetime.LIFETIME),  # busy all day: still ends
        (None, None, None),  # signed in before the times were kept
    ],
)
def test_expiry(signed_in_ago, last_seen_ago, expected):
    now = 1_700_000_000.0
    reason = lifetime.expiry_reason(
        now=now,
        signed_in_at=None if signed_in_ago is None else now - signed_in_ago,
        last_seen=None if last_seen_ago is None else now - last_seen_ago,
        idle=30 * MINUTE,
        lifetime=12 * HOUR,
    )
    assert reason == expected


def age_session(client, **ago):
    session = client.session
    for key, seconds in ago.items():
        session[key] = time.time() - seconds
    session.save()


@pytest.mark.django_db
def test_thirty_idle_minutes_sign_an_officer_out(client, officer):
    client.force_login(officer)
    age_session(client, **{lifetime.LAST_SEEN: 31 * MINUTE})

    answer = client.get("/portal/")

    assert answer.status_code == 302 and answer["Location"] == "/accounts/login/?next=%2Fportal%2F"
    assert "_auth_user_id" not in client.session
    expired = SignInEvent.objects.get(kind=SignInKind.LOGOUT)
    assert (expired.user, expired.outcome) == (officer, SignInOutcome.EXPIRED)
    assert expired.detail == in_chinese("no activity for the idle timeout")
    login_page = client.get(answer["Location"])
    assert in_chinese("You were signed out after a time without activity. Please sign in again.") in (
        login_page.content.decode()
    )


@pytest.mark.django_db
def test_activity_keeps_the_session(client, officer):
    client.force_login(officer)
    age_session(client, **{lifetime.LAST_SEEN: 29 * MINUTE})

    assert client.get("/portal/").status_code == 200
    assert time.time() - client.session[lifetime.LAST_SEEN] < 5  # the clock starts again
    assert client.get("/portal/").status_code == 200


@pytest.mark.django_db
def test_the_absolute_lifetime_ends_a_busy_session(client, officer, settings):
    client.force_login(officer)
    age_session(
        client, **{lifetime.SIGNED_IN_AT: settings.SESSION_ABSOLUTE_LIFETIME + 1, lifetime.LAST_SEEN: 5}
    )

    assert client.get("/portal/").status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_session_cookie_does_not_outlive_the_absolute_lifetime(client, officer, settings):
    from tests import factories

    answer = client.post("/accounts/login/", {"username": officer.username, "password": factories.PASSWORD})

    cookie = answer.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_ABSOLUTE_LIFETIME <= 12 * HOUR
