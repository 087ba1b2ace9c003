"""Everything that changes the state of agencies, rounds, cases and publications.

Only `case_transition` writes `Case.status`; only `round_phase_set` and `publication_create` write
`Round.phase`. Every change is audited and its e-mails are sent once the transaction commits.
"""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import notifications, uploads
from .enums import EDITABLE_STATUSES, LEVEL_ORDER, CaseStatus, Phase
from .models import (
    Agency,
    AgencyMember,
    Case,
    CaseAttachment,
    CaseImage,
    CaseTransition,
    Profile,
    Publication,
    PublishedCase,
    Round,
    RoundPhaseChange,
)
from .permissions import AGENCIES, is_agency_staff, is_case_agency_staff, is_organiser


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
    if rule.actor == AGENCY and (by is None or not is_case_agency_staff(by, case)):
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
        round_revise(round_id=case.round_id)
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


def round_revise(*, round_id: int | None = None) -> None:
    """Records that what the organisers' boards show of a round (of every round, without `round_id`: an
    agency or a category renamed) has changed, so that their cached pages are no longer used. Called inside
    the writer's transaction: a rollback takes the revision back too."""
    rounds = Round.objects.all() if round_id is None else Round.objects.filter(pk=round_id)
    rounds.update(revision=F("revision") + 1)


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
        round_revise(round_id=round.pk)
        if to == Phase.REVIEW:
            for case in round.cases.filter(status=CaseStatus.SUBMITTED):
                case_transition(case=case, to=CaseStatus.IN_REVIEW, by=by)
        if to == Phase.SUBMISSION:
            notifications.round_submission_opened(round=round)
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
    """Quotas, submissions and selections by category code, and submissions and selections by level."""
    submitted = round.cases.exclude(status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.RETURNED])
    by_category = Counter(submitted.values_list("category__code", flat=True))
    by_level = Counter(submitted.values_list("agency__level", flat=True))
    selected_category = Counter(case.category.code for case in published)
    selected_level = Counter(case.agency.level for case in published)
    return {
        # The quotas are part of what was published: a quota changed afterwards does not change the results.
        "categories": {
            code: {"submitted": by_category[code], "selected": selected_category[code], "seats": seats}
            for code, seats in round.quotas.order_by("category__position").values_list(
                "category__code", "seats"
            )
        },
        "levels": {
            level: {"submitted": by_level[level], "selected": selected_level[level]} for level in LEVEL_ORDER
        },
    }


# The agency portal: drafts, their images and attachments. Every function checks who asks, the round's
# phase, the deadline and the case's status itself, so that a crafted request gets no further than a button.

CASE_FIELDS = (
    "category",
    "title",
    "summary",
    "description",
    "outcomes",
    "service_url",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def _check_submission_open(round: Round, now) -> None:
    if round.phase != Phase.SUBMISSION:
        raise Refused(
            _("Cases can be changed only while submissions are open; the round is in the “%(phase)s” phase.")
            % {"phase": Phase(round.phase).label}
        )
    if now >= round.submission_deadline:
        raise Refused(_("The submission deadline has passed."))


def case_check_editable(*, case: Case, by: AbstractBaseUser | None, now=None) -> None:
    """Raises Refused, saying why, unless `by` may change the case's content now."""
    now = now or timezone.now()
    if by is None or not is_case_agency_staff(by, case):
        raise Refused(_("Only the case's own agency can do this."))
    _check_submission_open(case.round, now)
    if case.status not in EDITABLE_STATUSES:
        raise Refused(
            _("A case that is “%(status)s” cannot be changed.") % {"status": CaseStatus(case.status).label}
        )


def _locked_editable_case(case: Case, by: AbstractBaseUser | None, now) -> Case:
    """The case row, locked for the rest of the transaction, after checking that `by` may change it now."""
    locked = Case.objects.select_for_update().select_related("round").get(pk=case.pk)
    case_check_editable(case=locked, by=by, now=now)
    return locked


def _case_values(case: Case, data: dict) -> None:
    unknown = set(data) - set(CASE_FIELDS)
    if unknown:
        raise ValueError(f"not case fields: {sorted(unknown)}")
    category = data.get("category")
    if category is not None and not case.round.quotas.filter(category=category).exists():
        raise Refused(_("This round has no category “%(category)s”.") % {"category": category})
    for field, value in data.items():
        setattr(case, field, value if value is not None or field == "category" else "")


def case_create(*, round: Round, by: AbstractBaseUser, data: dict | None = None, now=None) -> Case:
    """Starts a draft for the officer's own agency while the round takes submissions."""
    now = now or timezone.now()
    if not is_agency_staff(by):
        raise Refused(_("Only agency officers can add cases."))
    _check_submission_open(round, now)
    case = Case(round=round, agency=by.agency_membership.agency, created_by=by)
    _case_values(case, data or {})
    case.save()
    return case


def case_update(*, case: Case, by: AbstractBaseUser, data: dict, now=None) -> Case:
    """Saves a draft's fields; empty fields are allowed until the case is submitted."""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_editable_case(case, by, now)
        _case_values(case, data)
        case.save(update_fields=[*data.keys(), "updated_at"])
    return case


def case_reopen(*, case: Case, by: AbstractBaseUser, now=None) -> Case:
    """Turns a withdrawn case back into a draft (before the deadline) so that it can be corrected."""
    return case_transition(case=case, to=CaseStatus.DRAFT, by=by, now=now)


def case_image_add(*, case: Case, by: AbstractBaseUser, upload, caption: str = "", now=None) -> CaseImage:
    """Adds an uploaded picture to a draft after decoding and re-encoding it (govcases.uploads)."""
    now = now or timezone.now()
    case_check_editable(case=case, by=by, now=now)  # before decoding: a stranger's upload costs nothing
    clean = uploads.image_clean(upload)
    with transaction.atomic():
        case = _locked_editable_case(case, by, now)
        most = settings.GOVCASES_IMAGES_PER_CASE[1]
        positions = list(case.images.values_list("position", flat=True))
        if len(positions) >= most:
            raise Refused(
                _("“%(name)s” was not added: a case may have at most %(count)d images.")
                % {"name": uploads.display_name(getattr(upload, "name", "")), "count": most}
            )
        return CaseImage.objects.create(
            case=case,
            image=clean.image,
            thumbnail=clean.thumbnail,
            caption=caption[:100],
            position=max(positions, default=-1) + 1,
        )


def case_image_remove(*, image: CaseImage, by: AbstractBaseUser, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        _locked_editable_case(image.case, by, now)
        stored = [image.image.name, image.thumbnail.name]
        image.delete()
        transaction.on_commit(lambda: [image.image.storage.delete(name) for name in stored if name])


def case_image_move(*, image: CaseImage, by: AbstractBaseUser, offset: int, now=None) -> None:
    """Moves an image `offset` places (−1 up, +1 down) and renumbers the case's images 0, 1, 2…"""
    now = now or timezone.now()
    with transaction.atomic():
        case = _locked_editable_case(image.case, by, now)
        images = list(case.images.order_by("position", "pk"))
        index = next(i for i, candidate in enumerate(images) if candidate.pk == image.pk)
        target = min(max(index + offset, 0), len(images) - 1)
        images.insert(target, images.pop(index))
        for position, each in enumerate(images):
            each.position = position
        CaseImage.objects.bulk_update(images, ["position"])


def case_attachment_add(*, case: Case, by: AbstractBaseUser, upload, now=None) -> CaseAttachment:
    now = now or timezone.now()
    case_check_editable(case=case, by=by, now=now)
    clean = uploads.pdf_clean(upload)
    with transaction.atomic():
        case = _locked_editable_case(case, by, now)
        return CaseAttachment.objects.create(case=case, file=clean.file, name=clean.name, size=clean.size)


def case_attachment_remove(*, attachment: CaseAttachment, by: AbstractBaseUser, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        _locked_editable_case(attachment.case, by, now)
        stored = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.storage.delete(stored) if stored else None)


def agency_member_invite(
    *, agency: Agency, email: str, by: AbstractBaseUser | None, language: str = settings.LANGUAGE_CODE
) -> User:
    """Makes (or reuses) an account for an agency officer and e-mails a link to choose a password."""
    if by is None or not is_organiser(by):
        raise Refused(_("Only the organisers can do this."))
    email = User.objects.normalize_email(email.strip())
    validate_email(email)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User.objects.create_user(username=email.lower(), email=email)
            Profile.objects.create(user=user, language=language)
        membership = AgencyMember.objects.filter(user=user).select_related("agency").first()
        if membership and membership.agency_id != agency.pk:
            raise Refused(
                _("%(email)s is already an officer of %(agency)s.")
                % {"email": email, "agency": membership.agency}
            )
        if membership is None:
            AgencyMember.objects.create(user=user, agency=agency)
        user.groups.add(Group.objects.get_or_create(name=AGENCIES)[0])
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        round = Round.objects.filter(phase=Phase.SUBMISSION).order_by("-year").first()
        notifications.notify(
            "invitation",
            notifications.user_recipient(user),
            {
                "user": user,
                "name": user.get_full_name() or user.get_username(),
                "role": gettext_lazy("agency officer"),
                "agency": agency,
                "round": round,
                "deadline": round.submission_deadline if round else None,
                "url": f"{settings.SITE_URL}{path}",
            },
            round=round,
        )
    return user
