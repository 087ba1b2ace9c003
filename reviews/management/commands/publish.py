"""`python manage.py publish 2024 [--override --reason "..."] [--by USERNAME]`: publishes a round's selection.

The same checks as the admin's confirmation page: with something outstanding (a quota not filled) it is
refused and says what, unless overridden with a reason.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from govcases.exceptions import Refused
from govcases.models import Round
from reviews.services import round_publish


class Command(BaseCommand):
    help = "Publishes the staged selection of a round as a new version of its results."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--override",
            "--allow-fewer",
            action="store_true",
            dest="override",
            help="Publish although something is outstanding, such as a quota not filled (needs --reason).",
        )
        parser.add_argument("--reason", default="", help="Why (required with --override).")
        parser.add_argument("--by", default="", help="The organiser's user name, recorded as the publisher.")

    def handle(self, *args, year, override, reason, by, **options):
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"No round for {year}.")
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"No user named {by}.")
        try:
            publication = round_publish(round=round, by=user, reason=reason, override=override)
        except Refused as refused:
            raise CommandError(str(refused)) from refused
        counts = publication.counts.get("categories", {})
        selected = sum(category["selected"] for category in counts.values())
        self.stdout.write(
            f"Published {year} version {publication.version}: {selected} of {publication.submitted} cases."
        )
