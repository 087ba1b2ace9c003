"""Scheduled reminders of the cases domain, sent by `manage.py send_reminders` (cron) without anyone clicking.

Each reminder goes out at most once per person and round: a ReminderSent row, constrained unique, is written
with the message in one transaction, under a lock of the round so that two schedulers running at once wait
for each other instead of both sending.
"""

from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .enums import EDITABLE_STATUSES, Phase
from .models import OutboxMessage, ReminderSent, Round
from .notifications import Composer, agency_recipients
from .outbox import outbox_queue

DRAFT_REMINDER = "draft_reminder"


def reminders_queue(*, round: Round, kind: str, messages: list[OutboxMessage]) -> int:
    """Queues the messages whose recipient has not had this reminder of this round yet; returns how many.
    The caller holds the round's lock."""
    already = set(ReminderSent.objects.filter(round=round, kind=kind).values_list("recipient", flat=True))
    fresh = {}
    for message in messages:
        if message.recipient not in already:
            fresh.setdefault(message.recipient, message)
    ReminderSent.objects.bulk_create(
        ReminderSent(round=round, kind=kind, recipient=recipient) for recipient in fresh
    )
    outbox_queue(messages=fresh.values())
    return len(fresh)


def reminder_window_open(deadline, days: int, now) -> bool:
    """A reminder `days` before the deadline is due from then until the deadline (0 days: never)."""
    return bool(days) and deadline is not None and deadline - timedelta(days=days) <= now < deadline


def reminders_due_send(*, rounds, deadline: str, days: str, kind: str, messages, now) -> int:
    """For each of `rounds` whose `deadline` field is `days` (a field too) away or nearer, queues the
    reminders `messages(round)` renders to whoever has not had them; returns how many were queued."""
    queued = 0
    for round in rounds.filter(**{f"{deadline}__gt": now}):
        if not reminder_window_open(getattr(round, deadline), getattr(round, days), now):
            continue
        with transaction.atomic():
            round = Round.objects.select_for_update().get(pk=round.pk)
            queued += reminders_queue(round=round, kind=kind, messages=messages(round))
    return queued


def draft_reminders_send(*, now=None) -> int:
    """Reminds every agency still holding drafts (or returned cases) in a round whose submission deadline is
    `draft_reminder_days` away or nearer; returns how many messages were queued."""
    return reminders_due_send(
        rounds=Round.objects.filter(phase=Phase.SUBMISSION),
        deadline="submission_deadline",
        days="draft_reminder_days",
        kind=DRAFT_REMINDER,
        messages=_draft_messages,
        now=now or timezone.now(),
    )


def _draft_messages(round: Round) -> list[OutboxMessage]:
    drafts = defaultdict(list)
    for case in round.cases.filter(status__in=EDITABLE_STATUSES).select_related("agency").order_by("pk"):
        drafts[case.agency_id].append(case)
    recipients = agency_recipients(list(drafts))
    composer = Composer()
    url = settings.SITE_URL + reverse("portal:dashboard")
    messages = []
    for agency_id, cases in drafts.items():
        context = {
            "agency": cases[0].agency,
            "round": round,
            "deadline": round.submission_deadline,
            "count": len(cases),
            "cases": "\n".join(f"- {case}" for case in cases),
            "url": url,
        }
        messages += [
            composer.message(DRAFT_REMINDER, each, context, round=round) for each in recipients[agency_id]
        ]
    return messages
