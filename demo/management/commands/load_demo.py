import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo import current
from demo import load as demo
from govcases.models import OutboxMessage


class Command(BaseCommand):
    help = (
        "Builds the 2024 demo round (685 agencies, 509 submitted cases, reviewers, reviews, the selection "
        "and its publication), the 2024 evaluation of the 685 agencies, published, and the 2025 round in the "
        "phase --phase names. Existing demo rounds and the evaluation are deleted and rebuilt, so running it "
        "twice gives the same data; demo accounts are updated in place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD, help="password of every demo account"
        )
        parser.add_argument("--cases", type=int, default=None, help="number of cases (default: 509)")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--phase",
            choices=[*current.PHASES, "none"],
            default="review",
            help="the phase the 2025 round is left in, so that every role has work (default: review); "
            "none leaves it out",
        )

    def handle(self, *args, password, cases, seed, phase, **options):
        if cases is not None and cases < 50:
            raise CommandError("--cases must be at least 50: the round holds the 50 selected cases.")
        started = time.monotonic()
        demo_started = timezone.now()
        # The demo's agencies and officers are fictional: the outbox forgets the thousands of messages their
        # rounds wrote, so that the worker beside the development server does not print them all.
        result = demo.demo_load(
            password=password, cases=cases, seed=seed, current=None if phase == "none" else phase
        )
        OutboxMessage.objects.filter(created_at__gte=demo_started).delete()
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{result.round.title}: {result.cases} cases submitted, {result.reviews} reviews, "
            f"{result.published} published ({elapsed:.1f} s)."
        )
        if options["verbosity"] >= 2:
            for stage, wall, cpu in result.stages:
                self.stdout.write(f"  {stage:<40} {wall:6.1f} s wall {cpu:6.1f} s CPU")
        self.stdout.write(f"Every account's password: {password}\n")
        width = max(len(account.username) for account in result.accounts)
        self.stdout.write(f"{'role':<10} {'username':<{width}}  what to try")
        for account in result.accounts:
            self.stdout.write(f"{account.role:<10} {account.username:<{width}}  {account.note}")
        self.stdout.write(
            "Every other agency with a case has an officer too: the Hanyu Pinyin of its published name "
            "(北京海淀区 → beijinghaidianqu)."
        )
