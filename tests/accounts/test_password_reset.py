"""Password reset requests are limited per requesting address and per account, and the answer never tells
whether an e-mail went out (nor whether the address has an account)."""

import pytest

from accounts.enums import SignInKind, SignInOutcome
from accounts.models import SignInEvent
from govcases.models import OutboxMessage

pytestmark = pytest.mark.django_db

URL = "/accounts/password_reset/"


def request_reset(client, email, address="198.51.100.7"):
    return client.post(URL, {"email": email}, REMOTE_ADDR=address)


def reset_mails() -> list[str]:
    """The recipients of the reset e-mails written to the outbox (which the worker sends: tests/test_outbox.py)."""
    return list(
        OutboxMessage.objects.filter(kind="password_reset").order_by("pk").values_list("recipient", flat=True)
    )


def test_twenty_requests_for_one_account_send_three_mails(client, settings, officer):
    settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT = 3
    responses = [request_reset(client, officer.email, address=f"198.51.100.{n}") for n in range(20)]

    assert reset_mails() == [officer.email] * 3
    # Every request got the same answer, the sent and the refused alike.
    assert {(response.status_code, response["Location"]) for response in responses} == {
        (302, "/accounts/password_reset/done/")
    }
    refused = SignInEvent.objects.filter(kind=SignInKind.PASSWORD_RESET, outcome=SignInOutcome.REFUSED)
    assert refused.count() == 17


def test_one_address_asking_for_many_accounts_is_stopped(client, settings, officer):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 10
    for number in range(10):
        request_reset(client, f"someone{number}@example.cn")

    answer = request_reset(client, officer.email)

    assert answer.status_code == 302 and answer["Location"] == "/accounts/password_reset/done/"
    assert reset_mails() == []
    # The owner, from their own address, still gets their link: a stranger's requests do not use it up.
    request_reset(client, officer.email, address="203.0.113.5")
    assert reset_mails() == [officer.email]


def test_an_unknown_address_is_answered_like_a_known_one(client, officer):
    known = request_reset(client, officer.email)
    unknown = request_reset(client, "nobody@example.cn")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert reset_mails() == [officer.email]
