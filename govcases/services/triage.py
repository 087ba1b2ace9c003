"""Triage (初步筛选): the research team's pass or out on each submitted case, staged until the round enters
review (`round_phase_set` then moves the passed cases to the experts and screens the others out)."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import CaseStatus, Phase
from ..exceptions import Refused
from ..models import Case, Round, TriageDecision, TriageEvent
from ..permissions import SCREEN_CASES, allowed


def _check_triage_open(round: Round, by: AbstractBaseUser | None) -> None:
    if by is None or not allowed(by, SCREEN_CASES):
        raise Refused(_("Only the organisers and their research team can triage cases."))
    if round.phase != Phase.TRIAGE:
        raise Refused(_("Cases can only be triaged while the round is in the triage phase."))


def triage_decide(*, case: Case, passed: bool, by: AbstractBaseUser, reason: str = "") -> TriageDecision:
    """Stages the triage of one submitted case: pass, or out with a reason (audited, and changeable until
    the round enters review)."""
    reason = reason.strip()
    if not passed and not reason:
        raise Refused(_("Say why the case is out: the agency may read it at publication."))
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("round").get(pk=case.pk)
        _check_triage_open(case.round, by)
        if case.status != CaseStatus.SUBMITTED:
            raise Refused(
                _("A case that is “%(status)s” is not triaged.") % {"status": CaseStatus(case.status).label}
            )
        now = timezone.now()
        decision, _created = TriageDecision.objects.update_or_create(
            case=case, defaults={"passed": passed, "reason": reason, "decided_by": by, "decided_at": now}
        )
        TriageEvent.objects.create(case=case, passed=passed, reason=reason, by=by, at=now)
    return decision


def triage_pass_many(*, round: Round, cases: QuerySet[Case], by: AbstractBaseUser) -> int:
    """Passes every submitted case of `cases` not triaged yet (the list's "pass all shown"), in a few
    queries; cases already decided keep their decision. Returns how many were passed."""
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        _check_triage_open(round, by)
        waiting = list(
            cases.filter(round=round, status=CaseStatus.SUBMITTED, triage__isnull=True)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        now = timezone.now()
        TriageDecision.objects.bulk_create(
            TriageDecision(case=case, passed=True, decided_by=by, decided_at=now) for case in waiting
        )
        TriageEvent.objects.bulk_create(
            TriageEvent(case=case, passed=True, by=by, at=now) for case in waiting
        )
    return len(waiting)
