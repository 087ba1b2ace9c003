"""The agency portal: drafts, their images and attachments. Every function checks who asks, the round's
phase, the deadline and the case's status itself, so that a crafted request gets no further than a button.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import uploads
from ..enums import EDITABLE_STATUSES, CaseStatus, Phase
from ..exceptions import Refused
from ..models import (
    Case,
    CaseAttachment,
    CaseImage,
    Round,
)
from ..permissions import EDIT_CASE, USE_PORTAL, allowed

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
    if by is None or not allowed(by, EDIT_CASE, case):
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
    if not allowed(by, USE_PORTAL):
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
                ngettext(
                    "“%(name)s” was not added: a case may have at most %(count)d image.",
                    "“%(name)s” was not added: a case may have at most %(count)d images.",
                    most,
                )
                % {"name": uploads.display_name(getattr(upload, "name", "")), "count": most}
            )
        image_name, thumbnail_name = uploads.files_store(
            [clean.image, clean.thumbnail], getattr(upload, "name", "")
        )
        try:
            return CaseImage.objects.create(
                case=case,
                image=image_name,
                thumbnail=thumbnail_name,
                width=clean.width,
                height=clean.height,
                caption=caption[:100],
                position=max(positions, default=-1) + 1,
            )
        except BaseException:
            uploads.files_delete([image_name, thumbnail_name])
            raise


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
        (stored,) = uploads.files_store([clean.file], getattr(upload, "name", ""))
        try:
            return CaseAttachment.objects.create(case=case, file=stored, name=clean.name, size=clean.size)
        except BaseException:
            uploads.files_delete([stored])
            raise


def case_attachment_remove(*, attachment: CaseAttachment, by: AbstractBaseUser, now=None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        _locked_editable_case(attachment.case, by, now)
        stored = attachment.file.name
        attachment.delete()
        transaction.on_commit(lambda: attachment.file.storage.delete(stored) if stored else None)
