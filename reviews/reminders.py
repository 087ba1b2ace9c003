"""The reviewers' scheduled reminder, sent by `manage.py send_reminders` (cron) `review_reminder_days` before
the review deadline, at most once per reviewer and round (govcases.reminders keeps the count)."""

from django.db import transaction
from django.utils import timezone

from govcases.enums import Phase
from govcases.models import Round
from govcases.reminders import reminder_window_open, reminders_queue

from .services.reviews import review_reminder_messages

REVIEW_REMINDER = "review_reminder"


def review_reminders_due_send(*, now=None) -> int:
    """Queues the scheduled reviewer reminders that are due; returns how many."""
    now = now or timezone.now()
    queued = 0
    for round in Round.objects.filter(phase=Phase.REVIEW, review_deadline__gt=now):
        if not reminder_window_open(round.review_deadline, round.review_reminder_days, now):
            continue
        with transaction.atomic():
            round = Round.objects.select_for_update().get(pk=round.pk)
            queued += reminders_queue(
                round=round, kind=REVIEW_REMINDER, messages=review_reminder_messages(round=round)
            )
    return queued
