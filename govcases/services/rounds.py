"""Round phases: `round_phase_set` is the only writer of `Round.phase` besides publication."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from ..enums import CaseStatus, Phase
from ..exceptions import Refused
from ..models import (
    Round,
    RoundPhaseChange,
)
from ..permissions import is_organiser
from .cases import case_bulk_transition

PHASE_ORDER = list(Phase)
# Besides moving one step forward: a correction takes a published round back to selection.
PHASE_BACKWARDS = {(Phase.PUBLISHED, Phase.SELECTION)}


def round_phase_set(*, round: Round, to: str, by: AbstractBaseUser | None, reason: str = "") -> Round:
    """Moves a round one phase forward (or a published round back to selection, for a correction).

    Entering review puts every submitted case in review. Publishing goes through `publication_create`.
    """
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if by is not None and not is_organiser(by):
            raise Refused(_("Only the organisers can do this."))
        current = PHASE_ORDER.index(Phase(round.phase))
        target = PHASE_ORDER.index(Phase(to))
        if to == Phase.PUBLISHED:
            raise Refused(_("A round is published by publishing its selection."))
        if target != current + 1 and (round.phase, to) not in PHASE_BACKWARDS:
            raise Refused(
                _("A round in the “%(from)s” phase cannot move to “%(to)s”.")
                % {"from": Phase(round.phase).label, "to": Phase(to).label}
            )
        RoundPhaseChange.objects.create(
            round=round, from_phase=round.phase, to_phase=to, by=by, reason=reason
        )
        round.phase = to
        round.save(update_fields=["phase"])
        if to == Phase.REVIEW:
            case_bulk_transition(
                cases=round.cases.filter(status=CaseStatus.SUBMITTED), to=CaseStatus.IN_REVIEW, by=by
            )
    return round
