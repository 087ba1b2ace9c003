"""Everything that changes the state of agencies, rounds, cases and publications.

Only `case_transition` writes `Case.status`; only `round_phase_set` and `publication_create` write
`Round.phase`. Every change is audited and its e-mails are sent once the transaction commits.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notifications
from .enums import LEVEL_ORDER, CaseStatus, Phase
from .models import Case, CaseTransition, Publication, PublishedCase, Round, RoundPhaseChange
from .permissions import is_case_agency_staff, is_organiser


class Refused(Exception):
    """A rule of the round forbids what was asked; the message says which, in the user's language."""


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
    (S.SUBMITTED, S.INELIGIBLE): _rule(ORGANISER, Phase.SUBMISSION, Phase.REVIEW, needs_reason=True),
    (S.IN_REVIEW, S.INELIGIBLE): _rule(ORGANISER, Phase.REVIEW, Phase.SELECTION, needs_reason=True),
    (S.SUBMITTED, S.IN_REVIEW): _rule(SYSTEM, Phase.REVIEW),
    (S.IN_REVIEW, S.SELECTED): _rule(SYSTEM, Phase.SELECTION),
    (S.IN_REVIEW, S.NOT_SELECTED): _rule(SYSTEM, Phase.SELECTION),
    (S.SELECTED, S.PUBLISHED): _rule(SYSTEM, Phase.SELECTION),
    # A correction (a new version of the publication) can change an earlier outcome.
    (S.PUBLISHED, S.NOT_SELECTED): _rule(SYSTEM, Phase.SELECTION),
    (S.NOT_SELECTED, S.SELECTED): _rule(SYSTEM, Phase.SELECTION),
}

PHASE_ORDER = list(Phase)
# Besides moving one step forward: a correction takes a published round back to selection.
PHASE_BACKWARDS = {(Phase.PUBLISHED, Phase.SELECTION)}

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
    if rule.actor == AGENCY and not is_case_agency_staff(by, case):
        raise Refused(_("Only the case's own agency can do this."))
    if rule.actor == ORGANISER and not (by is not None and is_organiser(by)):
        raise Refused(_("Only the organisers can do this."))
    if rule.actor == SYSTEM and by is not None and not is_organiser(by):
        raise Refused(_("Only the organisers can do this."))


def case_transition(*, case: Case, to: str, by: AbstractBaseUser | None, reason: str = "", now=None) -> Case:
    """Moves a case to another status if the role, the round's phase and the case's status allow it."""
    now = now or timezone.now()
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("round", "agency").get(pk=case.pk)
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
        if rule.needs_reason and not reason.strip():
            raise Refused(_("Give a reason."))
        if to == CaseStatus.SUBMITTED:
            _check_complete(case)
            case.submitted_at = now
            if not case.reference:
                case.reference = _next_reference(case)
        CaseTransition.objects.create(
            case=case, from_status=case.status, to_status=to, by=by, at=now, reason=reason.strip()
        )
        from_status, case.status = case.status, to
        case.save(update_fields=["status", "submitted_at", "reference", "updated_at"])
        notifications.case_status_changed(case=case, from_status=from_status)
    return case


def _check_complete(case: Case) -> None:
    errors = {
        field: message
        for field, message in SUBMISSION_REQUIRED.items()
        if not getattr(case, "category_id" if field == "category" else field)
    }
    fewest, most = settings.GOVCASES_IMAGES_PER_CASE
    images = case.images.count()
    if images < fewest:
        errors["images"] = _("Add at least %(count)d image.") % {"count": fewest}
    elif images > most:
        errors["images"] = _("Remove images: at most %(count)d are allowed.") % {"count": most}
    if errors:
        raise ValidationError(errors)


def _next_reference(case: Case) -> str:
    """A receipt number such as 2024-0123, unique within the round."""
    taken = Case.objects.filter(round=case.round).exclude(reference="").count()
    number = taken + 1
    while Case.objects.filter(reference=f"{case.round.year}-{number:04d}").exists():
        number += 1
    return f"{case.round.year}-{number:04d}"


def case_submit(*, case: Case, by: AbstractBaseUser, now=None) -> Case:
    return case_transition(case=case, to=CaseStatus.SUBMITTED, by=by, now=now)


def case_withdraw(*, case: Case, by: AbstractBaseUser, reason: str = "", now=None) -> Case:
    return case_transition(case=case, to=CaseStatus.WITHDRAWN, by=by, reason=reason, now=now)


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
            for case in round.cases.filter(status=CaseStatus.SUBMITTED):
                case_transition(case=case, to=CaseStatus.IN_REVIEW, by=by)
    return round


def publication_create(
    *, round: Round, selected: list[Case], by: AbstractBaseUser | None, reason: str = ""
) -> Publication:
    """Makes a selection public: outcomes for every case in review, the round published, a frozen snapshot.

    The caller (reviews.selection.round_publish) has checked the quotas; here the outcome is applied.
    """
    selected_ids = {case.pk for case in selected}
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.phase != Phase.SELECTION:
            raise Refused(_("Only a round in the selection phase can be published."))
        outcome_statuses = [CaseStatus.IN_REVIEW, CaseStatus.NOT_SELECTED, CaseStatus.PUBLISHED]
        for case in round.cases.filter(status__in=outcome_statuses).order_by("pk"):
            if case.pk in selected_ids and case.status != CaseStatus.PUBLISHED:
                case = case_transition(case=case, to=CaseStatus.SELECTED, by=by)
                case_transition(case=case, to=CaseStatus.PUBLISHED, by=by)
            elif case.pk not in selected_ids and case.status != CaseStatus.NOT_SELECTED:
                case_transition(case=case, to=CaseStatus.NOT_SELECTED, by=by)
        version = (round.publications.aggregate(v=Max("version"))["v"] or 0) + 1
        publication = Publication.objects.create(
            round=round,
            version=version,
            published_by=by,
            reason=reason,
            submitted=round.cases.exclude(
                status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.RETURNED]
            ).count(),
        )
        published = (
            round.cases.filter(pk__in=selected_ids)
            .select_related("agency", "category")
            .prefetch_related("images")
            .order_by("pk")
        )
        PublishedCase.objects.bulk_create(_published_case(publication, case) for case in published)
        publication.counts = _publication_counts(round, published)
        publication.save(update_fields=["counts"])
        RoundPhaseChange.objects.create(
            round=round, from_phase=round.phase, to_phase=Phase.PUBLISHED, by=by, reason=reason
        )
        round.phase = Phase.PUBLISHED
        round.save(update_fields=["phase"])
        notifications.round_published(publication=publication)
    return publication


def _published_case(publication: Publication, case: Case) -> PublishedCase:
    return PublishedCase(
        publication=publication,
        case=case,
        category=case.category,
        title=case.title,
        summary=case.summary,
        description=case.description,
        outcomes=case.outcomes,
        service_url=case.service_url,
        agency_name=case.agency.display_name,
        level=case.agency.level,
        province=case.agency.province,
        pinyin=case.agency.pinyin,
        images=[
            {
                "image": image.image.name,
                "thumbnail": image.thumbnail.name,
                "width": image.width,
                "height": image.height,
                "caption": image.caption,
            }
            for image in case.images.all()
        ],
    )


def _publication_counts(round: Round, published) -> dict:
    """Submissions and selections by category code and by level, as the statistics page shows them."""
    submitted = round.cases.exclude(status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.RETURNED])
    by_category = Counter(submitted.values_list("category__code", flat=True))
    by_level = Counter(submitted.values_list("agency__level", flat=True))
    selected_category = Counter(case.category.code for case in published)
    selected_level = Counter(case.agency.level for case in published)
    return {
        "categories": {
            code: {"submitted": by_category[code], "selected": selected_category[code]}
            for code in round.quotas.order_by("category__position").values_list("category__code", flat=True)
        },
        "levels": {
            level: {"submitted": by_level[level], "selected": selected_level[level]} for level in LEVEL_ORDER
        },
    }
