"""Verification (复核校验): before publication each provisionally selected case is checked by someone other
than its reviewers. A failed check leaves the case on the selection board, marked with the reason, until
the organisers replace it (deselect it) or a later check passes; publication waits for both (reviews.steps).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Case
from govcases.permissions import VERIFY_CASES, allowed

from ..models import SelectionDecision, VerificationCheck
from ..permissions import VERIFY_CASE
from ..selectors import SELECTABLE


def verification_record(
    *, case: Case, passed: bool, by: AbstractBaseUser, reason: str = "", now=None
) -> VerificationCheck:
    """Records one check of a selected case (audited: every check stays in the case's history)."""
    reason = reason.strip()
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("round").get(pk=case.pk)
        if by is None or not allowed(by, VERIFY_CASES):
            raise Refused(_("Only the organisers and their research team can verify cases."))
        if not allowed(by, VERIFY_CASE, case):
            raise Refused(_("You reviewed this case: someone else must verify it."))
        if case.round.phase != Phase.VERIFICATION:
            raise Refused(_("Cases can only be verified while the round is in the verification phase."))
        staged = SelectionDecision.objects.filter(case=case, selected=True).exists()
        if case.status not in SELECTABLE or not staged:
            raise Refused(_("Only a case in the provisional selection is verified."))
        if not passed and not reason:
            raise Refused(_("Say what failed: the selection board shows it to the organisers."))
        return VerificationCheck.objects.create(
            case=case, passed=passed, by=by, reason=reason, at=now or timezone.now()
        )
