from django.core.management.base import BaseCommand, CommandError

from govcases.exceptions import Refused
from govcases.models import Round
from reviews.services import assignment_generate


class Command(BaseCommand):
    help = "Assigns reviewers to every case of the round that still needs them; says what it could not do."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)

    def handle(self, *args, year, **options):
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"No round for {year}.")
        try:
            report = assignment_generate(round=round)
        except Refused as refused:
            raise CommandError(str(refused)) from refused
        self.stdout.write(f"{year}: {report.created} assignments made.")
        if report.unfilled:
            self.stdout.write(f"{len(report.unfilled)} cases still lack reviewers:")
            for case, reason in report.unfilled:
                self.stdout.write(f"  case {case.pk} {case.title} ({case.agency.display_name}): {reason}")
        else:
            self.stdout.write(f"Every case has {round.reviews_per_case} reviewers.")
