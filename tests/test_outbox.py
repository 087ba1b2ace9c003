"""The outbox against a real SMTP server on loopback, delivered by the real worker (`manage.py db_worker`).

With the server down, an agency submits and an organiser publishes, and both succeed; the messages wait.
Once the server is back the worker delivers each exactly once; an address the server refuses shows as failed
with the server's answer; two workers on one PostgreSQL database never send a message twice.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from govcases.enums import CaseStatus, MessageState
from govcases.models import OutboxMessage, Profile
from govcases.outbox import outbox_queue
from govcases.services import case_submit
from reviews.services import round_publish, selection_propose
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round
from tests.smtp import REFUSED_ANSWER

ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = pytest.mark.django_db(transaction=True)
BASE_DIR = Path(__file__).resolve().parents[1]


def run_worker(*, tasks: int | None = None) -> None:
    """The worker, as deployed, until nothing is left to do now (or after `tasks` tasks)."""
    limit = ["--max-tasks", str(tasks)] if tasks else []
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval", "0", *limit, verbosity=0
    )


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for state in OutboxMessage.objects.values_list("state", flat=True):
        found[state] = found.get(state, 0) + 1
    return found


def test_with_the_mail_server_down_nothing_fails_and_the_worker_delivers_each_message_once_it_is_back(
    client, smtp, settings, organiser
):
    # The first retry is due a second after the failure, later ones only after five minutes: however slow
    # the machine, the test sees exactly one failed attempt and then the delivery.
    settings.OUTBOX_RETRY_DELAYS = [1, 300, 300]
    reviewers = [factories.ReviewerFactory() for _ in range(3)]
    round = selection_round([1])
    cases = [scored_case(round, "disclosure", [90 - i, 80], reviewers, title=f"案例{i}") for i in range(3)]
    selection_propose(round=round, by=organiser)
    open_round = factories.RoundFactory(year=2025)
    officer = factories.AgencyMemberFactory().user
    draft = factories.CaseFactory(round=open_round, agency=officer.agency_membership.agency)

    # The server is down: the officer's submission and the organiser's publication both go through.
    client.force_login(officer)
    answer = client.post(reverse("portal:case_submit", args=[draft.pk]))
    assert answer.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CaseStatus.SUBMITTED
    publication = round_publish(round=round, by=organiser)
    assert publication.version == 1
    # Two for the submission (the agency's contact and its officer), one outcome for each of the three cases.
    assert states() == {MessageState.QUEUED: 5}

    run_worker(tasks=1)  # one delivery task: it takes every due message and cannot reach the server
    assert states() == {MessageState.QUEUED: 5}
    waiting = OutboxMessage.objects.first()
    assert waiting.attempts == 1 and "Connection refused" in waiting.last_error
    assert waiting.due_at > waiting.created_at

    smtp.start()
    time.sleep(1.2)  # the first retry is due after a second
    run_worker()
    run_worker()  # a second run finds nothing more to send

    assert states() == {MessageState.SENT: 5}
    counts = smtp.recorder.counts()
    expected = {(message.recipient, message.subject) for message in OutboxMessage.objects.all()}
    assert set(counts) == expected and set(counts.values()) == {1}
    outcomes = {each.recipient: each for each in smtp.recorder.received if "案例" in each.subject}
    assert f"/cases/{cases[0].pk}/" in outcomes[cases[0].agency.email].body


def test_an_address_the_server_refuses_shows_as_failed_with_its_answer(smtp, organiser):
    smtp.start()
    agency = factories.AgencyFactory(email="nobody@example.cn")
    member = factories.AgencyMemberFactory(agency=agency)
    round = factories.RoundFactory(year=2025)

    case_submit(case=factories.CaseFactory(round=round, agency=agency), by=member.user)
    run_worker()

    failed = OutboxMessage.objects.get(recipient="nobody@example.cn")
    assert failed.state == MessageState.FAILED
    assert REFUSED_ANSWER in failed.last_error
    assert OutboxMessage.objects.get(recipient=member.user.email).state == MessageState.SENT
    assert [each.recipient for each in smtp.recorder.received] == [member.user.email]


def test_messages_are_written_in_each_recipients_language(smtp):
    smtp.start()
    member = factories.AgencyMemberFactory()
    Profile.objects.create(user=member.user, language="en")
    round = factories.RoundFactory(year=2025)

    case = case_submit(case=factories.CaseFactory(round=round, agency=member.agency), by=member.user)
    run_worker()

    by_recipient = {each.recipient: each for each in smtp.recorder.received}
    english, chinese = by_recipient[member.user.email], by_recipient[member.agency.email]
    assert english.subject == f"Case received: {case.reference}"
    assert chinese.subject == f"案例已收到：{case.reference}"


def test_a_rolled_back_change_sends_nothing(smtp):

    smtp.start()
    with pytest.raises(RuntimeError), transaction.atomic():
        outbox_queue(
            messages=[
                OutboxMessage(
                    recipient="a@example.cn", language="zh-hans", kind="bulk", subject="s", body="b"
                )
            ]
        )
        raise RuntimeError("the change failed after its message was written")
    run_worker()
    assert not OutboxMessage.objects.exists() and smtp.recorder.received == []


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.postgres
@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL: two workers share one database")
def test_two_workers_on_postgresql_never_send_a_message_twice(smtp):
    smtp.start()
    for batch in range(8):
        outbox_queue(
            messages=[
                OutboxMessage(
                    recipient=f"person{batch}-{n}@example.cn",
                    language="zh-hans",
                    kind="bulk",
                    subject=f"通知 {batch}-{n}",
                    body="正文",
                )
                for n in range(40)
            ]
        )
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "DJANGO_SETTINGS_MODULE": "govcases.settings",
        "DATABASE_URL": _database_url(),
        **{name: str(value) for name, value in smtp.settings().items()},
    }
    command = [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"]
    workers = [subprocess.Popen(command, cwd=BASE_DIR, env=env) for _ in range(2)]
    assert [worker.wait(timeout=120) for worker in workers] == [0, 0]

    assert states() == {MessageState.SENT: 320}
    counts = smtp.recorder.counts()
    assert len(counts) == 320 and set(counts.values()) == {1}


def test_the_scheduler_enqueues_delivery_of_messages_left_without_a_task(smtp):
    smtp.start()
    outbox_queue(
        messages=[
            OutboxMessage(recipient="a@example.cn", language="zh-hans", kind="bulk", subject="s", body="b")
        ]
    )
    DBTaskResult.objects.all().delete()  # as if the tasks had been pruned or lost
    run_worker()
    assert states() == {MessageState.QUEUED: 1}

    call_command("send_reminders", verbosity=0)
    call_command("send_reminders", verbosity=0)
    assert DBTaskResult.objects.count() == 1  # one task, however often the scheduler runs
    run_worker()
    assert states() == {MessageState.SENT: 1} and len(smtp.recorder.received) == 1
