"""The outbox: every e-mail as a row, delivered by a background worker.

`outbox_queue` writes messages in the caller's transaction together with one task of Django's tasks framework
(ORM backend): both commit or roll back with the change that caused them, and the request never talks to the
mail server. A worker (`manage.py db_worker`, as many as you like on one database) runs `deliver`, which
claims due messages under a row lock (SKIP LOCKED, so two workers never take the same one), marks them
`sending` before talking to the server, and records the outcome: sent, queued again after a growing delay
when the server is unreachable or answers "try later", failed with the server's answer when it refuses. A
message is never sent twice: one that a worker crashed while sending stays `sending` for an organiser to see.
"""

import contextlib
import smtplib
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count, F, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

try:  # Django 6 ships the tasks framework; on 5.2 it comes from its backport.
    from django.tasks import task
except ImportError:  # pragma: no cover - depends on the Django version
    from django_tasks import task

from .enums import MessageState
from .exceptions import Refused
from .models import OutboxMessage
from .permissions import RUN_ROUND, allowed

CLAIM_BATCH = 50


@task()
def deliver() -> int:
    """The worker's task: sends every message that is due; returns how many went out."""
    return outbox_deliver_due()


def _enqueue(run_after: datetime | None = None) -> None:
    (deliver.using(run_after=run_after) if run_after else deliver).enqueue()


def outbox_queue(*, messages: Iterable[OutboxMessage]) -> list[OutboxMessage]:
    """Writes the messages and one delivery task, in the caller's transaction: two queries for any number."""
    messages = [message for message in messages if message.recipient]
    if not messages:
        return []
    with transaction.atomic():
        created = OutboxMessage.objects.bulk_create(messages)
        _enqueue()
    return created


def outbox_resend(*, messages: QuerySet[OutboxMessage], by: AbstractBaseUser | None) -> int:
    """Queues failed messages again, as new (attempts from zero); returns how many. Organisers only."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    now = timezone.now()
    with transaction.atomic():
        count = messages.filter(state=MessageState.FAILED).update(
            state=MessageState.QUEUED, attempts=0, due_at=now, last_error=""
        )
        if count:
            _enqueue()
    return count


def outbox_requeue_stranded(*, now=None) -> int:
    """Enqueues a delivery task if due messages wait without one (a worker was stopped while its task ran,
    or tasks were pruned): the scheduler (`send_reminders`) calls this every run."""
    now = now or timezone.now()
    waiting = OutboxMessage.objects.filter(state=MessageState.QUEUED, due_at__lte=now).count()
    pending = DBTaskResult.objects.ready().filter(task_path=deliver.module_path).exists()
    if waiting and not pending:
        _enqueue()
    return waiting


def _claim(now: datetime) -> list[OutboxMessage]:
    with transaction.atomic():
        claimed = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(state=MessageState.QUEUED, due_at__lte=now)
            .order_by("due_at", "pk")[:CLAIM_BATCH]
        )
        OutboxMessage.objects.filter(pk__in=[message.pk for message in claimed]).update(
            state=MessageState.SENDING, attempts=F("attempts") + 1
        )
    return claimed


def _server_answer(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{address}: {code} {answer.decode(errors='replace') if isinstance(answer, bytes) else answer}"
            for address, (code, answer) in error.recipients.items()
        )
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        answer = answer.decode(errors="replace") if isinstance(answer, bytes) else str(answer)
        return f"{error.smtp_code} {answer}"
    return f"{type(error).__name__}: {error}"


def _is_permanent(error: Exception) -> bool:
    """The server refused for good (5xx): trying again would only repeat the answer."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _answer in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _record_failure(message: OutboxMessage, error: Exception, now: datetime) -> datetime | None:
    """Queues the message again after the delay its attempts have earned, or marks it failed; returns when
    it is due again (None when failed)."""
    delays = settings.OUTBOX_RETRY_DELAYS
    attempts = message.attempts + 1  # the claim counted this attempt in the database
    retry = not _is_permanent(error) and attempts <= len(delays)
    due = now + timedelta(seconds=delays[attempts - 1]) if retry else None
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=MessageState.QUEUED if retry else MessageState.FAILED,
        last_error=_server_answer(error)[:2000],
        due_at=due or F("due_at"),
    )
    return due


def outbox_deliver_due(*, now=None) -> int:
    """Sends the due messages batch by batch over one SMTP connection per batch; returns how many were sent."""
    sent = 0
    retry_at: list[datetime] = []
    while claimed := _claim(now or timezone.now()):
        connection = get_connection(fail_silently=False)
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            retry_at += [_record_failure(message, error, timezone.now()) for message in claimed]
            continue
        try:
            for position, message in enumerate(claimed):
                email = EmailMessage(
                    message.subject,
                    message.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [message.recipient],
                    connection=connection,
                )
                try:
                    email.send()
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPResponseException) as error:
                    retry_at.append(_record_failure(message, error, timezone.now()))
                except (OSError, smtplib.SMTPException) as error:
                    # The connection is gone: this message and the rest of the batch wait for the next try.
                    retry_at += [_record_failure(rest, error, timezone.now()) for rest in claimed[position:]]
                    break
                else:
                    OutboxMessage.objects.filter(pk=message.pk).update(
                        state=MessageState.SENT, sent_at=timezone.now(), last_error=""
                    )
                    sent += 1
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):  # the server may have gone first
                connection.close()
    retries = [when for when in retry_at if when is not None]
    if retries:
        _enqueue(run_after=min(retries))
    return sent


def outbox_summary() -> dict:
    """What the admin shows above the outbox: how many wait, how many failed, and since when the oldest
    queued message waits (the queue's age)."""
    oldest = OutboxMessage.objects.filter(state=MessageState.QUEUED).aggregate(oldest=Min("created_at"))
    counts = dict.fromkeys(MessageState.values, 0)
    counts.update(OutboxMessage.objects.order_by().values_list("state").annotate(count=Count("pk")))
    return {"counts": counts, "oldest_queued": oldest["oldest"]}
