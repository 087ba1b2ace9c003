"""Reviewers brought in by the organisers: the account (govcases.services.InvitationBatch) with the
reviewer's profile — categories of expertise, affiliation, declared conflicts — in one transaction, one
person at a time or a spreadsheet's rows together under the same rules; and the organisers' later edits of
that profile, recorded in the account's trail."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.models import Agency, Category
from govcases.permissions import REVIEWERS, RUN_ROUND, allowed
from govcases.services import InvitationBatch, account_change_record

from ..models import ReviewerProfile


class ReviewerBatch:
    """Reviewers, any number (a spreadsheet's rows): each checked on `add` against what was read once for
    all, and all written by `write` in a fixed number of queries with their invitations."""

    def __init__(self, *, by: AbstractBaseUser, emails: Iterable[str], action: str = AccountAction.INVITED):
        emails = [(email or "").strip() for email in emails]
        self.accounts = InvitationBatch(role=REVIEWERS, by=by, emails=emails, action=action)
        self._reviewers = {
            address
            for address in ReviewerProfile.objects.annotate(address=Lower("user__email"))
            .filter(address__in={email.lower() for email in emails})
            .values_list("address", flat=True)
        }
        self._profiles: list[tuple[ReviewerProfile, list[Category], list[Agency]]] = []

    def add(
        self,
        *,
        email: str,
        name: str,
        categories: Iterable[Category],
        institution: str = "",
        affiliation_agency: Agency | None = None,
        declared_conflicts: Iterable[Agency] = (),
        language: str = settings.LANGUAGE_CODE,
    ) -> ReviewerProfile:
        categories = list(categories)
        if not categories:
            raise Refused(_("Name at least one category the reviewer is expert in."))
        email = (email or "").strip()
        if email.lower() in self._reviewers:
            raise Refused(_("%(email)s is already a reviewer.") % {"email": email})
        self.accounts.check_grantable()
        invitee = self.accounts.add(email=email, name=name, language=language)
        self._reviewers.add(email.lower())
        profile = ReviewerProfile(
            user=invitee.user, institution=institution.strip(), affiliation_agency=affiliation_agency
        )
        self._profiles.append((profile, categories, list(declared_conflicts)))
        return profile

    def _write_profiles(self) -> None:
        ReviewerProfile.objects.bulk_create([profile for profile, _categories, _conflicts in self._profiles])
        for relation, position in [(ReviewerProfile.categories, 1), (ReviewerProfile.declared_conflicts, 2)]:
            through = relation.through
            source, target = relation.field.m2m_field_name(), relation.field.m2m_reverse_field_name()
            through.objects.bulk_create(
                through(**{f"{source}_id": entry[0].pk, f"{target}_id": related.pk})
                for entry in self._profiles
                for related in dict.fromkeys(entry[position])
            )

    def write(self) -> None:
        self.accounts.write(then=self._write_profiles)


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
    batch = ReviewerBatch(by=by, emails=[email], action=action)
    profile = batch.add(
        email=email,
        name=name,
        categories=categories,
        institution=institution,
        affiliation_agency=affiliation_agency,
        declared_conflicts=declared_conflicts,
        language=language,
    )
    batch.write()
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
