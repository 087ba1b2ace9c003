"""Accounts: agency officers invited by the organisers."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .. import notifications
from ..exceptions import Refused
from ..models import (
    Agency,
    AgencyMember,
)
from ..permissions import AGENCIES, is_organiser


def agency_member_invite(*, agency: Agency, email: str, by: AbstractBaseUser | None) -> User:
    """Makes (or reuses) an account for an agency officer and e-mails a link to choose a password."""
    if by is None or not is_organiser(by):
        raise Refused(_("Only the organisers can do this."))
    email = User.objects.normalize_email(email.strip())
    validate_email(email)
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            user = User.objects.create_user(username=email.lower(), email=email)
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
        notifications.send_on_commit(
            "invitation", [email], {"user": user, "agency": agency, "url": f"{settings.SITE_URL}{path}"}
        )
    return user
