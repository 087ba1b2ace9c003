"""Records every authentication event (等保 2.0: sign-in, failure, lockout, sign-out) as a SignInEvent."""

import time

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils.translation import gettext as _

from . import lifetime, services
from .addresses import client_address
from .enums import SignInKind as Kind
from .enums import SignInOutcome as Outcome


def _address(request) -> str | None:
    return client_address(request) if request is not None else None


def _user_named(username: str):
    if not username:
        return None
    return get_user_model()._default_manager.filter(**{get_user_model().USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="accounts.signed_in")
def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[lifetime.SIGNED_IN_AT] = now
        request.session[lifetime.LAST_SEEN] = now
    services.sign_in_event_record(
        kind=Kind.LOGIN, outcome=Outcome.SUCCESS, user=user, address=_address(request)
    )


@receiver(user_login_failed, dispatch_uid="accounts.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")
    services.sign_in_event_record(
        kind=Kind.LOGIN,
        outcome=Outcome.FAILURE,
        user=_user_named(username),
        username=username,
        address=_address(request),
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    username = str(username or "")
    services.sign_in_event_record(
        kind=Kind.LOCKOUT,
        outcome=Outcome.REFUSED,
        user=_user_named(username),
        username=username,
        address=ip_address,
    )


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    expired = getattr(request, "signin_expired", None)
    services.sign_in_event_record(
        kind=Kind.LOGOUT,
        outcome=Outcome.EXPIRED if expired else Outcome.SUCCESS,
        user=user,
        address=_address(request),
        detail=EXPIRY_DETAILS[expired]() if expired else "",
    )


EXPIRY_DETAILS = {
    lifetime.IDLE: lambda: _("no activity for the idle timeout"),
    lifetime.LIFETIME: lambda: _("maximum session length reached"),
}
