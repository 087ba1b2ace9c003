from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

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
        self.stdout.write(
            ngettext(
                "%(year)s: %(count)d assignment made.",
                "%(year)s: %(count)d assignments made.",
                report.created,
            )
            % {"year": year, "count": report.created}
        )
        if report.unfilled:
            count = len(report.unfilled)
            self.stdout.write(
                ngettext(
                    "%(count)d case still lacks reviewers:", "%(count)d cases still lack reviewers:", count
                )
                % {"count": count}
            )
            for case, reason in report.unfilled:
                self.stdout.write(f"  case {case.pk} {case.title} ({case.agency.display_name}): {reason}")
        else:
            self.stdout.write(f"Every case has {round.reviews_per_case} reviewers.")
