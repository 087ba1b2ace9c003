"""Reviewers brought in by the organisers: the account (govcases.services.account_invite) with the
reviewer's profile — categories of expertise, affiliation, declared conflicts — in one transaction."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, User
from django.db import transaction
from django.utils.translation import gettext as _

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.models import Agency, Category
from govcases.permissions import REVIEWERS
from govcases.services import account_invite, invitation_send

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
