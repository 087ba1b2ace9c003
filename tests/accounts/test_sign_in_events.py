"""Every authentication event is recorded with its time, user, address and outcome, and organisers read
them (and only read them) in /admin/."""

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.enums import SignInKind, SignInOutcome
from accounts.models import SignInEvent
from tests import factories
from tests.e2e.browser import in_chinese

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.23"


def events():
    return [(e.kind, e.outcome, e.user, e.address) for e in SignInEvent.objects.order_by("pk")]


def test_sign_in_failure_sign_out_and_password_change_are_recorded(client, officer):
    client.post("/accounts/login/", {"username": officer.username, "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    client.post(
        "/accounts/login/",
        {"username": officer.username, "password": factories.PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    new = "蓝天白云-government-2025"
    changed = client.post(
        "/accounts/password_change/",
        {"old_password": factories.PASSWORD, "new_password1": new, "new_password2": new},
        REMOTE_ADDR=ADDRESS,
    )
    assert changed.status_code == 302
    client.post("/accounts/logout/", REMOTE_ADDR=ADDRESS)

    assert events() == [
        (SignInKind.LOGIN, SignInOutcome.FAILURE, officer, ADDRESS),
        (SignInKind.LOGIN, SignInOutcome.SUCCESS, officer, ADDRESS),
        (SignInKind.PASSWORD_CHANGE, SignInOutcome.SUCCESS, officer, ADDRESS),
        (SignInKind.LOGOUT, SignInOutcome.SUCCESS, officer, ADDRESS),
    ]
    assert all(event.at for event in SignInEvent.objects.all())


def test_a_failure_for_an_unknown_name_keeps_what_was_typed(client):
    client.post("/accounts/login/", {"username": "nosuchuser", "password": "wrong"}, REMOTE_ADDR=ADDRESS)

    event = SignInEvent.objects.get()
    assert (event.user, event.username, event.outcome) == (None, "nosuchuser", SignInOutcome.FAILURE)


def test_organisers_read_the_records_and_cannot_change_them(organiser, officer):
    Client().post(
        "/accounts/login/", {"username": officer.username, "password": "wrong"}, REMOTE_ADDR=ADDRESS
    )
    event = SignInEvent.objects.get()
    admin = Client()
    admin.force_login(organiser)

    listing = admin.get("/admin/accounts/signinevent/")
    assert listing.status_code == 200
    assert ADDRESS in listing.content.decode() and officer.username in listing.content.decode()
    assert admin.get(f"/admin/accounts/signinevent/{event.pk}/change/").status_code == 200
    assert admin.get("/admin/accounts/signinevent/add/").status_code == 403
    assert admin.post(f"/admin/accounts/signinevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    changed = admin.post(f"/admin/accounts/signinevent/{event.pk}/change/", {"outcome": "success"})
    assert changed.status_code == 403
    event.refresh_from_db()
    assert event.outcome == SignInOutcome.FAILURE


def test_the_records_list_costs_the_same_queries_for_few_and_many(organiser, django_assert_max_num_queries):
    admin = Client()
    admin.force_login(organiser)
    admin.get("/admin/accounts/signinevent/")  # warm: the session, the groups
    for _ in range(3):
        SignInEvent.objects.create(kind=SignInKind.LOGIN, outcome=SignInOutcome.SUCCESS, by=organiser)
    with django_assert_max_num_queries(100) as few:
        admin.get("/admin/accounts/signinevent/")
    SignInEvent.objects.bulk_create(
        SignInEvent(kind=SignInKind.LOGIN, outcome=SignInOutcome.SUCCESS, by=organiser) for _ in range(97)
    )
    with django_assert_max_num_queries(100) as many:
        admin.get("/admin/accounts/signinevent/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_password_chosen_through_a_reset_link_is_recorded(client, officer):
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    form_url = client.get(f"/accounts/reset/{uid}/{default_token_generator.make_token(officer)}/")["Location"]
    new = "蓝天白云-government-2025"

    client.post(form_url, {"new_password1": new, "new_password2": new}, REMOTE_ADDR=ADDRESS)

    event = SignInEvent.objects.get(kind=SignInKind.PASSWORD_CHANGE)
    assert (event.user, event.address) == (officer, ADDRESS)
    assert event.detail == in_chinese("through a reset link")
