"""Quotas hold when two organisers decide at the same time (PostgreSQL: real row locks, two connections)."""

import threading
import time

import pytest
from django.db import connection, transaction

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Category
from reviews.models import SelectionDecision
from reviews.services import selection_decide
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has no row locks")


@pytest.fixture
def one_seat():
    """A category with one seat and two unranked cases competing for it, and two organisers."""
    round = factories.RoundFactory(year=2024, phase=Phase.SELECTION, quotas=[1])
    category = Category.objects.get(code="disclosure")
    cases = [
        factories.CaseFactory(round=round, category=category, status=CaseStatus.IN_REVIEW, images=0)
        for _ in range(2)
    ]
    return cases, factories.OrganiserFactory(), factories.OrganiserFactory()


class Attempt(threading.Thread):
    """One organiser's selection in its own thread, hence its own database connection."""

    def __init__(self, case, by, hold: threading.Event | None = None, decided: threading.Event | None = None):
        super().__init__(daemon=True)
        self.case, self.by, self.hold, self.decided = case, by, hold, decided
        self.outcome = None

    def run(self):
        try:
            with transaction.atomic():
                selection_decide(case=self.case, selected=True, by=self.by, reason="两位组织者同时遴选")
                if self.decided:
                    self.decided.set()
                if self.hold:
                    # Keep the transaction (and its lock) open until the test lets go.
                    self.hold.wait(timeout=10)
            self.outcome = "selected"
        except Refused:
            self.outcome = "refused"
        except Exception as error:  # noqa: BLE001 - reported to the test below
            self.outcome = repr(error)
        finally:
            connection.close()


def test_a_second_organiser_waits_for_the_first_and_is_refused_at_a_full_quota(one_seat):
    (first_case, second_case), alice, bob = one_seat
    hold, decided = threading.Event(), threading.Event()
    first = Attempt(first_case, alice, hold=hold, decided=decided)
    first.start()
    assert decided.wait(timeout=10)

    second = Attempt(second_case, bob)
    second.start()
    time.sleep(0.5)
    # The first transaction holds the quota's row lock: the second cannot count the seats yet.
    assert second.is_alive() and second.outcome is None

    hold.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert (first.outcome, second.outcome) == ("selected", "refused")
    assert list(SelectionDecision.objects.filter(selected=True).values_list("case_id", flat=True)) == [
        first_case.pk
    ]


def test_two_organisers_at_the_same_moment_fill_one_seat_once(one_seat):
    cases, alice, bob = one_seat
    start = threading.Barrier(2)

    class Racer(Attempt):
        def run(self):
            start.wait(timeout=10)
            super().run()

    racers = [Racer(cases[0], alice), Racer(cases[1], bob)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join(timeout=20)

    assert sorted(racer.outcome for racer in racers) == ["refused", "selected"]
    assert SelectionDecision.objects.filter(selected=True).count() == 1
