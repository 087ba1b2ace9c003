"""Round phases: `round_phase_set` is the only writer of `Round.phase` besides publication."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from .. import steps
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


def round_phase_set(
    *, round: Round, to: str, by: AbstractBaseUser | None, reason: str = "", override: bool = False
) -> Round:
    """Moves a round one phase forward (or a published round back to selection, for a correction).

    Refused while something is outstanding (govcases.steps), unless `override` with a reason: the override
    and what it passed over are audited. Entering review puts every submitted case in review. Publishing goes
    through `publication_create`.
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
        overridden = step_check(round=round, to=to, reason=reason, override=override)
        RoundPhaseChange.objects.create(
            round=round, from_phase=round.phase, to_phase=to, by=by, reason=reason, overridden=overridden
        )
        round.phase = to
        round.save(update_fields=["phase"])
        if to == Phase.REVIEW:
            case_bulk_transition(
                cases=round.cases.filter(status=CaseStatus.SUBMITTED), to=CaseStatus.IN_REVIEW, by=by
            )
    return round


def step_check(*, round: Round, to: str, reason: str, override: bool) -> list[str]:
    """Refuses the step while something is outstanding, unless overridden with a reason; returns what the
    override passes over, for the audit."""
    found = steps.messages(steps.outstanding(round=round, to=to))
    if found and not override:
        raise Refused(
            _("Not yet: %(outstanding)s To go on all the same, confirm the override and give a reason.")
            % {"outstanding": " ".join(found)}
        )
    if found and not reason.strip():
        raise Refused(_("Give a reason for going on with work outstanding."))
    return found
