"""Bidding: while the organisers keep a round's bidding open, reviewers say of the cases they may be assigned
whether they are keen, willing, would rather not, or have a conflict of interest. The assignment's solver
weighs the first three as costs and never gives a reviewer a case they marked as a conflict."""

from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Case, Round
from govcases.permissions import allowed

from ..enums import ASSIGNMENT_PHASES, BidChoice
from ..models import Bid, BiddingChange
from ..permissions import REVIEW
from ..selectors import biddable_cases
from .assignment import organiser_required

# "" takes a bid back: the case is then as any other of the reviewer's panels ("willing" for the solver).
NO_SAY = ""


def round_bidding_set(*, round: Round, opened: bool, by: AbstractBaseUser | None) -> Round:
    """Opens or closes the reviewers' bidding on `round` (organisers only; audited). Bidding opens only while
    assignments may still change; the bids already made stay when it closes, and the solver uses them."""
    organiser_required(by)
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if opened and round.phase not in ASSIGNMENT_PHASES:
            raise Refused(
                _("Bidding cannot open while the round is in the “%(phase)s” phase: assignments are final.")
                % {"phase": Phase(round.phase).label}
            )
        if round.bidding_open == opened:
            raise Refused(_("Bidding is already open.") if opened else _("Bidding is already closed."))
        round.bidding_open = opened
        round.save(update_fields=["bidding_open"])
        BiddingChange.objects.create(round=round, opened=opened, by=by)
    return round


def bids_save(*, reviewer: AbstractBaseUser, round: Round, choices: Mapping[int, str]) -> int:
    """Records the reviewer's say on cases of `round` (case id → a BidChoice, or "" to take a bid back) in a
    fixed number of queries; refuses the whole lot if one case is not open to their bids. Returns how many
    bids changed."""
    if any(choice not in (NO_SAY, *BidChoice.values) for choice in choices.values()):
        raise Refused(_("Choose keen, willing, rather not or conflict of interest."))
    if not allowed(reviewer, REVIEW):
        raise Refused(_("%(user)s is not a reviewer.") % {"user": reviewer})
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if not round.bidding_open or round.phase not in ASSIGNMENT_PHASES:
            raise Refused(_("Bidding on the cases of %(round)s is closed.") % {"round": round})
        open_to_bids = set(
            biddable_cases(reviewer=reviewer, round=round)
            .filter(pk__in=list(choices))
            .values_list("pk", flat=True)
        )
        if set(choices) - open_to_bids:
            raise Refused(
                _(
                    "Some of these cases are not open to your bids: outside your panels, already assigned "
                    "to you, given back, or of an agency you have a conflict of interest with."
                )
            )
        existing = dict(
            Bid.objects.filter(reviewer=reviewer, case_id__in=list(choices)).values_list("case_id", "choice")
        )
        changed = {pk: choice for pk, choice in choices.items() if existing.get(pk, NO_SAY) != choice}
        Bid.objects.filter(
            reviewer=reviewer, case_id__in=[pk for pk, choice in changed.items() if choice == NO_SAY]
        ).delete()
        now = timezone.now()
        Bid.objects.bulk_create(
            [
                Bid(reviewer=reviewer, case_id=pk, choice=choice, updated_at=now)
                for pk, choice in changed.items()
                if choice != NO_SAY
            ],
            update_conflicts=True,
            unique_fields=["reviewer", "case"],
            update_fields=["choice", "updated_at"],
        )
    return len(changed)


def bid_set(*, reviewer: AbstractBaseUser, case: Case, choice: str) -> Bid:
    """Records the reviewer's say on one case (see `bids_save`)."""
    bids_save(reviewer=reviewer, round=case.round, choices={case.pk: choice})
    return Bid.objects.get(reviewer=reviewer, case=case)
