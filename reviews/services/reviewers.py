"""Reviewers brought in by the organisers: the account (govcases.services.account_invite) with the
reviewer's profile — categories of expertise, affiliation, declared conflicts — in one transaction; and
the organisers' later edits of that profile, recorded in the account's trail."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils.translation import gettext as _

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.models import Agency, Category
from govcases.permissions import REVIEWERS, RUN_ROUND, allowed
from govcases.services import account_change_record, account_invite, invitation_send

from ..models import ReviewerProfile


def reviewer_invite(
    *,
    email: str,
    name: str,
    categories: Iterable[Category],
    by: AbstractBaseUser,
    institution: str = "",
    affiliation_agency: Agency | None = None,
    declared_conflicts: Iterable[Agency] = (),
    language: str = settings.LANGUAGE_CODE,
    action: str = AccountAction.INVITED,
) -> ReviewerProfile:
    """Invites a reviewer: an account that signs in once its owner has chosen a password through the
    e-mailed link, and the profile the assignment reads (expertise, affiliation, conflicts)."""
    categories = list(categories)
    if not categories:
        raise Refused(_("Name at least one category the reviewer is expert in."))
    with transaction.atomic():
        if ReviewerProfile.objects.filter(user__email__iexact=(email or "").strip()).exists():
            raise Refused(_("%(email)s is already a reviewer.") % {"email": email.strip()})
        user: User = account_invite(
            email=email, role=REVIEWERS, by=by, name=name, language=language, action=action, send=False
        )
        profile = ReviewerProfile.objects.create(
            user=user, institution=institution.strip(), affiliation_agency=affiliation_agency
        )
        profile.categories.set(categories)
        profile.declared_conflicts.set(list(declared_conflicts))
        invitation_send(user=user)
    return profile


def reviewer_profile_check(
    *,
    profile: ReviewerProfile,
    by: AbstractBaseUser | None,
    affiliation_agency: Agency | None,
    declared_conflicts: Iterable[Agency],
    reason: str = "",
) -> None:
    """Refuses an edit of a reviewer's profile that `reviewer_profile_update` would refuse: asked by the
    admin's form first, so that the organiser keeps what they typed."""
    if by is None or not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    # The affiliation and the declared conflicts decide whom the reviewer may not review: a change lets
    # them review an agency they could not before (or stops them), and the organisers must say why.
    conflicts_changed = {agency.pk for agency in declared_conflicts} != set(
        profile.declared_conflicts.values_list("pk", flat=True)
    )
    affiliation_changed = (
        affiliation_agency.pk if affiliation_agency else None
    ) != profile.affiliation_agency_id
    if (conflicts_changed or affiliation_changed) and not reason.strip():
        raise Refused(_("Say why the reviewer's affiliated agency or declared conflicts change."))


def _names(items) -> str:
    return "、".join(sorted(str(item) for item in items))


def reviewer_profile_update(
    *,
    profile: ReviewerProfile,
    by: AbstractBaseUser,
    affiliation_agency: Agency | None,
    institution: str,
    categories: Iterable[Category],
    declared_conflicts: Iterable[Agency],
    max_load: int,
    reason: str = "",
) -> list[str]:
    """Changes a reviewer's profile (never whose it is); returns what changed, as recorded in the account's
    trail (govcases.AccountChange) with the reason."""
    categories, declared_conflicts = list(categories), list(declared_conflicts)
    with transaction.atomic():
        # The stored profile, locked: what it was is what the record compares with.
        stored = ReviewerProfile.objects.select_for_update().get(pk=profile.pk)
        reviewer_profile_check(
            profile=stored,
            by=by,
            affiliation_agency=affiliation_agency,
            declared_conflicts=declared_conflicts,
            reason=reason,
        )
        if not categories:
            raise Refused(_("Name at least one category the reviewer is expert in."))
        changes = []
        for field, value in [
            ("affiliation_agency", affiliation_agency),
            ("institution", institution.strip()),
            ("max_load", max_load),
        ]:
            if getattr(stored, field) != value:
                changes.append(f"{field}: {getattr(stored, field) or '—'} → {value or '—'}")
                setattr(stored, field, value)
        if changes:
            stored.save()
        for field, chosen in [("categories", categories), ("declared_conflicts", declared_conflicts)]:
            related = getattr(stored, field)
            before = set(related.all())
            added, removed = set(chosen) - before, before - set(chosen)
            if added or removed:
                related.set(chosen)
                signed = [f"+{_names(added)}"] if added else []
                signed += [f"-{_names(removed)}"] if removed else []
                changes.append(f"{field}: {' '.join(signed)}")
        if changes:
            account_change_record(
                user=stored.user,
                action=AccountAction.CHANGED,
                by=by,
                detail="reviewer profile: " + "; ".join(changes),
                reason=reason.strip(),
            )
    return changes
