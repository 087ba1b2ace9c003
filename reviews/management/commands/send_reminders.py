from django.core.management.base import BaseCommand

from govcases.outbox import outbox_requeue_stranded
from govcases.reminders import draft_reminders_send
from reviews.reminders import review_reminders_due_send


class Command(BaseCommand):
    help = (
        "Queues the reminders that are due (agencies holding drafts before the submission deadline, reviewers "
        "with pending reviews before the review deadline), each at most once per person and round, and "
        "re-enqueues delivery of messages left waiting. Run it from cron, e.g. every 15 minutes."
    )

    def handle(self, *args, **options):
        drafts = draft_reminders_send()
        reviews = review_reminders_due_send()
        waiting = outbox_requeue_stranded()
        self.stdout.write(
            f"{drafts} draft reminders and {reviews} review reminders queued; {waiting} messages waiting."
        )
