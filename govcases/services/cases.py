"""Case status transitions: one table says who may move a case from which status to which, in which
phase; `case_transition` (one case) and `case_bulk_transition` (many) are the only writers of `Case.status`.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import notifications
from ..enums import CaseStatus, Phase
from ..exceptions import Refused
from ..models import Case, CaseAttachment, CaseImage, CaseTransition
from ..permissions import EDIT_CASE, RUN_ROUND, allowed

# Rows written per query by the bulk transitions.
BATCH = 1000

AGENCY, ORGANISER, SYSTEM = "agency", "organiser", "system"


@dataclass(frozen=True)
class Rule:
    actor: str
    phases: frozenset[str]
    before_deadline: bool = False
    needs_reason: bool = False


def _rule(actor, *phases, before_deadline=False, needs_reason=False):
    return Rule(actor, frozenset(phases), before_deadline, needs_reason)


S = CaseStatus
TRANSITIONS: dict[tuple[str, str], Rule] = {
    (S.DRAFT, S.SUBMITTED): _rule(AGENCY, Phase.SUBMISSION, before_deadline=True),
    (S.RETURNED, S.SUBMITTED): _rule(AGENCY, Phase.SUBMISSION, before_deadline=True),
    (S.SUBMITTED, S.WITHDRAWN): _rule(AGENCY, Phase.SUBMISSION, before_deadline=True),
    (S.WITHDRAWN, S.DRAFT): _rule(AGENCY, Phase.SUBMISSION, before_deadline=True),
    (S.SUBMITTED, S.RETURNED): _rule(ORGANISER, Phase.SUBMISSION, needs_reason=True),
    (S.SUBMITTED, S.INELIGIBLE): _rule(
        ORGANISER, Phase.SUBMISSION, Phase.TRIAGE, Phase.REVIEW, needs_reason=True
    ),
    (S.IN_REVIEW, S.INELIGIBLE): _rule(
        ORGANISER, Phase.REVIEW, Phase.SELECTION, Phase.VERIFICATION, needs_reason=True
    ),
    (S.SUBMITTED, S.IN_REVIEW): _rule(SYSTEM, Phase.REVIEW),
    # Entering review after triage: the cases the research team marked out, with its reason.
    (S.SUBMITTED, S.SCREENED_OUT): _rule(SYSTEM, Phase.REVIEW, needs_reason=True),
    # Publication, from selection or (when the round verifies) from verification.
    (S.IN_REVIEW, S.SELECTED): _rule(SYSTEM, Phase.SELECTION, Phase.VERIFICATION),
    (S.IN_REVIEW, S.NOT_SELECTED): _rule(SYSTEM, Phase.SELECTION, Phase.VERIFICATION),
    (S.SELECTED, S.PUBLISHED): _rule(SYSTEM, Phase.SELECTION, Phase.VERIFICATION),
    # A correction (a new version of the publication) can change an earlier outcome.
    (S.PUBLISHED, S.NOT_SELECTED): _rule(SYSTEM, Phase.SELECTION, Phase.VERIFICATION),
    (S.NOT_SELECTED, S.SELECTED): _rule(SYSTEM, Phase.SELECTION, Phase.VERIFICATION),
}

SUBMISSION_REQUIRED = {
    "category": gettext_lazy("Choose a category."),
    "title": gettext_lazy("Enter a title."),
    "summary": gettext_lazy("Enter a summary."),
    "description": gettext_lazy("Describe the case."),
    "outcomes": gettext_lazy("Describe the measurable outcomes."),
    "service_url": gettext_lazy("Give the link to the live service."),
    "contact_name": gettext_lazy("Name a contact person."),
    "contact_phone": gettext_lazy("Give the contact person's phone number."),
}


def _check_actor(rule: Rule, *, case: Case, by: AbstractBaseUser | None) -> None:
    if rule.actor == AGENCY and (by is None or not allowed(by, EDIT_CASE, case)):
        raise Refused(_("Only the case's own agency can do this."))
    if rule.actor == ORGANISER and not (by is not None and allowed(by, RUN_ROUND)):
        raise Refused(_("Only the organisers can do this."))
    if rule.actor == SYSTEM and by is not None and not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))


def _check_rule(case: Case, *, to: str, by: AbstractBaseUser | None, reason: str, now) -> None:
    """Raises Refused, saying why, unless the transition table lets `by` move `case` to `to` now."""
    rule = TRANSITIONS.get((case.status, to))
    if rule is None:
        raise Refused(
            _("A case that is “%(from)s” cannot become “%(to)s”.")
            % {"from": CaseStatus(case.status).label, "to": CaseStatus(to).label}
        )
    _check_actor(rule, case=case, by=by)
    if case.round.phase not in rule.phases:
        raise Refused(
            _("This cannot be done while the round is in the “%(phase)s” phase.")
            % {"phase": Phase(case.round.phase).label}
        )
    if rule.before_deadline and now >= case.round.submission_deadline:
        raise Refused(_("The submission deadline has passed."))
    if to == CaseStatus.SUBMITTED and case.round.submissions_not_open_yet(now):
        raise Refused(
            _("Submissions open on %(opens)s; until then the case stays a draft that you can keep editing.")
            % {
                "opens": formats.date_format(
                    timezone.localtime(case.round.submission_opens), "DATETIME_FORMAT"
                )
            }
        )
    if rule.needs_reason and not reason.strip():
        raise Refused(_("Give a reason."))


def case_check_transition(*, case: Case, to: str, by: AbstractBaseUser | None, now=None) -> None:
    """Raises Refused, saying why, unless `by` may move the case to `to` now: what a confirmation page
    asks before offering the step (the step itself checks again)."""
    _check_rule(case, to=to, by=by, reason="-", now=now or timezone.now())


def case_transition(*, case: Case, to: str, by: AbstractBaseUser | None, reason: str = "", now=None) -> Case:
    """Moves a case to another status if the role, the round's phase and the case's status allow it."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("round", "agency").get(pk=case.pk)
        _check_rule(case, to=to, by=by, reason=reason, now=now)
        if to == CaseStatus.SUBMITTED:
            _check_complete(case, images=case.images.count())
            case.submitted_at = now
            _references_give([case])
        CaseTransition.objects.create(
            case=case, from_status=case.status, to_status=to, by=by, at=now, reason=reason.strip()
        )
        from_status, case.status = case.status, to
        case.save(update_fields=["status", "submitted_at", "reference", "updated_at"])
        notifications.case_status_changed(case=case, from_status=from_status)
    return case


def case_bulk_transition(
    *,
    cases: QuerySet[Case],
    to: str,
    by: AbstractBaseUser | None,
    reason: str = "",
    reasons: Mapping[int, str] | None = None,
    now=None,
) -> list[Case]:
    """Moves every case of `cases` to `to` under the same rules as `case_transition`, or none of them.

    For rounds of thousands of cases (entering review, publication, the demo): the statuses are written in
    one query per batch and the audit rows in one `bulk_create`, instead of a few queries per case. `reasons`
    gives a case its own reason (by id) in place of `reason`: the triage's, when cases are screened out.
    """
    now = now or timezone.now()
    reasons = reasons or {}
    with transaction.atomic():
        locked = list(cases.select_for_update(of=("self",)).select_related("round", "agency").order_by("pk"))
        images = {}
        if to == CaseStatus.SUBMITTED:
            images = dict(
                CaseImage.objects.filter(case__in=[case.pk for case in locked])
                .values("case")
                .annotate(count=Count("pk"))
                .values_list("case", "count")
            )
        for case in locked:
            try:
                _check_rule(case, to=to, by=by, reason=reasons.get(case.pk, reason), now=now)
                if to == CaseStatus.SUBMITTED:
                    _check_complete(case, images=images.get(case.pk, 0))
            except (Refused, ValidationError) as refusal:
                raise Refused(
                    _("“%(case)s”: %(reason)s")
                    % {"case": case.title or case.pk, "reason": " ".join(_messages(refusal))}
                ) from refusal
        CaseTransition.objects.bulk_create(
            (
                CaseTransition(
                    case=case,
                    from_status=case.status,
                    to_status=to,
                    by=by,
                    at=now,
                    reason=reasons.get(case.pk, reason).strip(),
                )
                for case in locked
            ),
            batch_size=BATCH,
        )
        from_statuses = {case.pk: case.status for case in locked}
        for case in locked:
            case.status = to
            case.updated_at = now
        if to == CaseStatus.SUBMITTED:
            _references_give(locked)
            for case in locked:
                case.submitted_at = now
            Case.objects.bulk_update(
                locked, ["status", "submitted_at", "reference", "updated_at"], batch_size=BATCH
            )
        else:
            ids = [case.pk for case in locked]
            for start in range(0, len(ids), BATCH):
                Case.objects.filter(pk__in=ids[start : start + BATCH]).update(status=to, updated_at=now)
        for case in locked:
            notifications.case_status_changed(case=case, from_status=from_statuses[case.pk])
    return locked


def _messages(refusal: Exception) -> list[str]:
    return refusal.messages if isinstance(refusal, ValidationError) else [str(refusal)]


def _check_complete(case: Case, *, images: int) -> None:
    errors = {
        field: message
        for field, message in SUBMISSION_REQUIRED.items()
        if not getattr(case, "category_id" if field == "category" else field)
    }
    fewest, most = settings.GOVCASES_IMAGES_PER_CASE
    if images < fewest:
        errors["images"] = ngettext(
            "Add at least %(count)d image.", "Add at least %(count)d images.", fewest
        ) % {"count": fewest}
    elif images > most:
        errors["images"] = ngettext(
            "Remove images: at most %(count)d is allowed.",
            "Remove images: at most %(count)d are allowed.",
            most,
        ) % {"count": most}
    if errors:
        raise ValidationError(errors)


def _references_give(cases: list[Case]) -> None:
    """Gives every case without one a receipt number such as 2024-0123, the lowest free in its year."""
    for round_id in {case.round_id for case in cases}:
        waiting = [case for case in cases if case.round_id == round_id and not case.reference]
        if not waiting:
            continue
        year = waiting[0].round.year
        taken = set(Case.objects.filter(reference__startswith=f"{year}-").values_list("reference", flat=True))
        number = 0
        for case in waiting:
            number += 1
            while f"{year}-{number:04d}" in taken:
                number += 1
            case.reference = f"{year}-{number:04d}"


def case_submit(*, case: Case, by: AbstractBaseUser, now=None) -> Case:
    return case_transition(case=case, to=CaseStatus.SUBMITTED, by=by, now=now)


def case_withdraw(*, case: Case, by: AbstractBaseUser, reason: str = "", now=None) -> Case:
    return case_transition(case=case, to=CaseStatus.WITHDRAWN, by=by, reason=reason, now=now)


def case_reopen(*, case: Case, by: AbstractBaseUser, now=None) -> Case:
    """Turns a withdrawn case back into a draft (before the deadline) so that it can be corrected."""
    return case_transition(case=case, to=CaseStatus.DRAFT, by=by, now=now)


def case_part_identifying_set(
    *, part: CaseImage | CaseAttachment, identifying: bool, by: AbstractBaseUser
) -> None:
    """Marks a case's picture or attachment as identifying its agency (or not): in a blind round its reviewers
    neither see nor fetch it (govcases.blind). Organisers only."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    type(part).objects.filter(pk=part.pk).update(identifying=identifying)
