"""Reviewers brought in by the organisers: the account (govcases.services.InvitationBatch) with the
reviewer's profile — categories of expertise, affiliation, declared conflicts — in one transaction, one
person at a time or a spreadsheet's rows together under the same rules."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.models import Agency, Category
from govcases.permissions import REVIEWERS
from govcases.services import InvitationBatch

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
