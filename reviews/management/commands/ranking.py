from django.core.management.base import BaseCommand, CommandError

from govcases.models import Round
from reviews.exports import ranking_csv, ranking_json


class Command(BaseCommand):
    help = "Prints the ranking of a round, one row per case (CSV in UTF-8 with a BOM, or JSON)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--format", choices=["csv", "json"], default="csv")

    def handle(self, *args, year, format, **options):
        round = Round.objects.filter(year=year).first()
        if round is None:
            raise CommandError(f"No round for {year}.")
        output = ranking_csv(round=round) if format == "csv" else ranking_json(round=round) + "\n"
        self.stdout.write(output, ending="")
