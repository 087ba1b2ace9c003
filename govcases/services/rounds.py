"""Rounds: their set-up (a new round, or one started from an earlier round) and their phases.
`round_phase_set` is the only writer of `Round.phase` besides publication."""

from collections.abc import Callable
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from .. import notifications, steps
from ..enums import CaseStatus, Phase
from ..exceptions import Refused
from ..models import (
    Quota,
    Round,
    RoundEvent,
    RoundPhaseChange,
    TriageDecision,
)
from ..permissions import RUN_ROUND, allowed
from .cases import case_bulk_transition

PHASE_ORDER = list(Phase)
# Besides moving one step forward: a correction takes a published round back to selection.
PHASE_BACKWARDS = {(Phase.PUBLISHED, Phase.SELECTION)}


def round_phase_set(
    *, round: Round, to: str, by: AbstractBaseUser | None, reason: str = "", override: bool = False
) -> Round:
    """Moves a round one phase forward (or a published round back to selection, for a correction).

    "Forward" follows the round's own stages (`Round.phases`): a round that triages goes from submission to
    triage, one that does not straight to review; the order never changes. Refused while something is
    outstanding (govcases.steps), unless `override` with a reason: the override and what it passed over are
    audited. Entering review puts every submitted case that passed triage (every one, without triage) in
    review and screens the others out with the triage's reason. Publishing goes through `publication_create`.
    """
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if by is not None and not allowed(by, RUN_ROUND):
            raise Refused(_("Only the organisers can do this."))
        if to == Phase.PUBLISHED:
            raise Refused(_("A round is published by publishing its selection."))
        if to != round.phase_after() and (round.phase, to) not in PHASE_BACKWARDS:
            raise Refused(
                _("A round in the “%(from)s” phase cannot move to “%(to)s”.")
                % {"from": Phase(round.phase).label, "to": Phase(to).label}
            )
        overridden = step_check(round=round, to=to, reason=reason, override=override)
        RoundPhaseChange.objects.create(
            round=round, from_phase=round.phase, to_phase=to, by=by, reason=reason, overridden=overridden
        )
        from_phase, round.phase = round.phase, to
        round.save(update_fields=["phase"])
        if to == Phase.REVIEW:
            _cases_enter_review(round=round, triaged=from_phase == Phase.TRIAGE, by=by)
        if to == Phase.SUBMISSION:
            notifications.round_submission_opened(round=round)
    return round


def _cases_enter_review(*, round: Round, triaged: bool, by: AbstractBaseUser | None) -> None:
    """Submitted cases go to the experts; after triage only those that passed (an undecided one too, when
    the organiser overrode the step), and the cases marked out are screened out with their reason."""
    submitted = round.cases.filter(status=CaseStatus.SUBMITTED)
    out = {}
    if triaged:
        out = dict(
            TriageDecision.objects.filter(case__in=submitted, passed=False).values_list("case_id", "reason")
        )
        case_bulk_transition(
            cases=submitted.filter(pk__in=list(out)), to=CaseStatus.SCREENED_OUT, by=by, reasons=out
        )
    case_bulk_transition(cases=submitted.exclude(pk__in=list(out)), to=CaseStatus.IN_REVIEW, by=by)


def step_check(*, round: Round, to: str, reason: str, override: bool) -> list[str]:
    """Refuses the step while something is outstanding, unless overridden with a reason; returns what the
    override passes over, for the audit."""
    findings = steps.outstanding(round=round, to=to)
    found = steps.messages(findings)
    blocking = steps.messages(finding for finding in findings if finding.blocking)
    if blocking:
        raise Refused(
            _("Not yet: %(outstanding)s This cannot be overridden.") % {"outstanding": " ".join(blocking)}
        )
    if found and not override:
        raise Refused(
            _("Not yet: %(outstanding)s To go on all the same, confirm the override and give a reason.")
            % {"outstanding": " ".join(found)}
        )
    if found and not reason.strip():
        raise Refused(_("Give a reason for going on with work outstanding."))
    return found


# --- set-up --------------------------------------------------------------------------------------------------

# What a round takes over from the round it starts from: its settings for reviewing, ranking, reminders and
# feedback, and the guidelines (the organisers edit them for the new year). E-mail texts (EmailTemplate) are
# shared by every round, so a new round uses them as they stand.
COPIED_SETTINGS = (
    "reviews_per_case",
    "ranking_score",
    "ranking_convention",
    "disagreement_range",
    "disagreement_stdev",
    "normalisation_min_reviews",
    "draft_reminder_days",
    "review_reminder_days",
    "agency_feedback",
    "guidelines",
    "triage_enabled",
    "screening_reason_shared",
    "verification_enabled",
)

# (round, source) → None: what other apps set up in a new round (reviews: the rubrics, copied from `source`
# or the published criteria when there is none). Registered from their AppConfig.ready(); govcases never
# imports them.
RoundSetUpStep = Callable[[Round, Round | None], None]
_set_up_steps: list[RoundSetUpStep] = []


def round_set_up_register(step: RoundSetUpStep) -> None:
    if step not in _set_up_steps:
        _set_up_steps.append(step)


def _organiser_required(by: AbstractBaseUser | None) -> None:
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))


def round_set_up(*, round: Round, by: AbstractBaseUser | None) -> Round:
    """Completes a round the organisers just created (with its quotas): each app's defaults, audited."""
    _organiser_required(by)
    with transaction.atomic():
        for step in _set_up_steps:
            step(round, None)
        RoundEvent.objects.create(round=round, action=RoundEvent.Action.CREATED, by=by)
    return round


def round_copy(
    *,
    source: Round,
    year: int,
    title: str,
    submission_deadline: datetime,
    submission_opens: datetime | None = None,
    review_deadline: datetime | None = None,
    by: AbstractBaseUser | None,
) -> Round:
    """Starts a new round from an earlier one ("start from last year"): the same categories and quotas,
    rubrics, settings and guidelines, new dates, in the set-up phase. Audited with what was copied.

    Raises ValidationError (by field) when the year is taken or the dates are out of order.
    """
    _organiser_required(by)
    with transaction.atomic():
        round = Round(
            year=year,
            title=title,
            phase=Phase.SETUP,
            submission_opens=submission_opens,
            submission_deadline=submission_deadline,
            review_deadline=review_deadline,
            **{name: getattr(source, name) for name in COPIED_SETTINGS},
        )
        round.full_clean()
        round.save()
        quotas = list(source.quotas.select_related("category"))
        Quota.objects.bulk_create(
            Quota(round=round, category=quota.category, seats=quota.seats) for quota in quotas
        )
        for step in _set_up_steps:
            step(round, source)
        RoundEvent.objects.create(
            round=round,
            action=RoundEvent.Action.COPIED,
            source=source,
            by=by,
            reason=_("Started from %(source)s: quotas (%(quotas)s), rubrics, settings and guidelines.")
            % {
                "source": source,
                "quotas": "、".join(f"{quota.category.name} {quota.seats}" for quota in quotas) or "—",
            },
        )
    return round
