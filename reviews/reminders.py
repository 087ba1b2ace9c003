"""The reviewers' scheduled reminder, sent by `manage.py send_reminders` (cron) `review_reminder_days` before
the review deadline, at most once per reviewer and round (govcases.reminders keeps the count)."""

from django.utils import timezone

from govcases.enums import Phase
from govcases.models import Round
from govcases.reminders import reminders_due_send

from .services.reviews import review_reminder_messages

REVIEW_REMINDER = "review_reminder"


def review_reminders_due_send(*, now=None) -> int:
    """Queues the scheduled reviewer reminders that are due; returns how many."""
    return reminders_due_send(
        rounds=Round.objects.filter(phase=Phase.REVIEW),
        deadline="review_deadline",
        days="review_reminder_days",
        kind=REVIEW_REMINDER,
        messages=lambda round: review_reminder_messages(round=round),
        now=now or timezone.now(),
    )
