"""The outbox in /admin/: every message with its delivery state, the queue's age, resending failed ones."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from govcases.enums import MessageState
from govcases.exceptions import Refused
from govcases.models import OutboxMessage
from govcases.outbox import outbox_resend

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CHANGELIST = reverse("admin:govcases_outboxmessage_changelist")


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def message(state=MessageState.QUEUED, **values) -> OutboxMessage:
    defaults = {
        "recipient": "a@example.cn",
        "language": "zh-hans",
        "kind": "case_submitted",
        "subject": "s",
        "body": "b",
    }
    return OutboxMessage.objects.create(state=state, **{**defaults, **values})


def test_organisers_see_each_message_its_state_and_the_queues_age(admin_client, round_):
    message(created_at=timezone.now() - timedelta(hours=2), round=round_, recipient="waiting@example.cn")
    message(
        MessageState.FAILED, recipient="nobody@example.cn", attempts=1, last_error="550 5.1.1 No such mailbox"
    )
    message(MessageState.SENT, recipient="done@example.cn", attempts=1)

    page = admin_client.get(CHANGELIST, **EN).content.decode()

    for shown in ["waiting@example.cn", "nobody@example.cn", "550 5.1.1 No such mailbox", round_.title]:
        assert shown in page
    summary = page[page.index('id="outbox-summary"') :][:400]
    assert "Queued: 1" in summary and "failed: 1" in summary and "sent: 1" in summary
    assert "has waited 2" in summary and "hour" in summary


def test_the_list_takes_the_same_number_of_queries_for_3_messages_as_for_60(admin_client, round_):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(captured)

    for _ in range(3):
        message(round=round_)
    few = queries()
    for _ in range(57):
        message(MessageState.FAILED, round=round_, last_error="421 try later")
    assert queries() == few


def test_failed_messages_are_sent_again_one_or_all(admin_client, deliver_mail):
    first = message(MessageState.FAILED, recipient="one@example.cn", attempts=6, last_error="timeout")
    second = message(MessageState.FAILED, recipient="two@example.cn", attempts=6, last_error="timeout")
    sent = message(MessageState.SENT, recipient="done@example.cn", attempts=1)

    admin_client.post(CHANGELIST, {"action": "resend", "_selected_action": [first.pk, sent.pk]})
    first.refresh_from_db()
    sent.refresh_from_db()
    assert (first.state, first.attempts, first.last_error) == (MessageState.QUEUED, 0, "")
    assert sent.state == MessageState.SENT
    assert [each.to for each in deliver_mail()] == [["one@example.cn"]]

    page = admin_client.get(CHANGELIST, **EN).content.decode()
    assert "Send the 1 failed message again" in page
    answer = admin_client.post(reverse("admin:govcases_outboxmessage_resend_failed"))
    assert answer.status_code == 302
    assert [each.to[0] for each in deliver_mail()] == ["one@example.cn", "two@example.cn"]
    second.refresh_from_db()
    assert second.state == MessageState.SENT


def test_nobody_else_sees_or_resends_the_outbox(client, officer, reviewer):
    failed = message(MessageState.FAILED)
    for user in [officer, reviewer]:
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 302
        client.post(reverse("admin:govcases_outboxmessage_resend_failed"))
        assert OutboxMessage.objects.get(pk=failed.pk).state == MessageState.FAILED


def test_the_resend_service_refuses_anyone_but_an_organiser(officer):
    failed = message(MessageState.FAILED)
    with pytest.raises(Refused):
        outbox_resend(messages=OutboxMessage.objects.all(), by=officer)
    with pytest.raises(Refused):
        outbox_resend(messages=OutboxMessage.objects.all(), by=None)
    assert OutboxMessage.objects.get(pk=failed.pk).state == MessageState.FAILED
