"""Everything that changes sign-in state: the sign-in records, two-factor devices and backup codes, the
password-reset limits and the lifting of login locks."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.permissions import RUN_ROUND, allowed
from govcases.services import account_change_record

from .enums import SignInKind as Kind
from .enums import SignInOutcome as Outcome
from .models import SignInEvent

BACKUP_CODES = 10
AUTHENTICATOR, BACKUP = "authenticator", "backup"
RESET_WINDOW = timedelta(hours=1)


def sign_in_event_record(
    *,
    kind: str,
    outcome: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    address: str | None = None,
    detail: str = "",
    by: AbstractBaseUser | None = None,
) -> SignInEvent:
    if user is not None and not username:
        username = user.get_username()
    return SignInEvent.objects.create(
        kind=kind,
        outcome=outcome,
        user=user,
        username=username[:254],
        address=address,
        detail=detail[:200],
        by=by,
    )


def password_reset_allowed(*, email: str, address: str | None, now=None) -> bool:
    """Whether a reset e-mail may go to `email` now, and the request recorded either way.

    Every request from one address counts against that address (someone probing many addresses); only the
    mails actually sent count against an account, so requests refused at a stranger's address do not use up
    the owner's.
    """
    now = now or timezone.now()
    since = now - RESET_WINDOW
    email = email.strip().lower()
    resets = SignInEvent.objects.filter(kind=Kind.PASSWORD_RESET, at__gte=since)
    from_address = resets.filter(address=address).count() if address else 0
    to_account = resets.filter(username=email, outcome=Outcome.SUCCESS).count()
    allowed = (
        from_address < settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
        and to_account < settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    )
    sign_in_event_record(
        kind=Kind.PASSWORD_RESET,
        outcome=Outcome.SUCCESS if allowed else Outcome.REFUSED,
        username=email,
        address=address,
    )
    return allowed


def totp_device_start(*, user: AbstractBaseUser) -> TOTPDevice:
    """The authenticator being set up: a new secret until a code from it confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=AUTHENTICATOR).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=AUTHENTICATOR)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str, address: str | None = None) -> list[str] | None:
    """Confirms the authenticator with a code it shows; returns the new backup codes (shown once), or None
    when the code is wrong. Any earlier authenticator and backup codes of the user stop working."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if device.confirmed or not device.verify_token(token):
        sign_in_event_record(kind=Kind.DEVICE, outcome=Outcome.FAILURE, user=device.user, address=address)
        return None
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = backup_codes_issue(user=device.user)
    sign_in_event_record(kind=Kind.DEVICE, outcome=Outcome.SUCCESS, user=device.user, address=address)
    return codes


@transaction.atomic
def backup_codes_issue(*, user: AbstractBaseUser) -> list[str]:
    """New backup codes, each good for one sign-in; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def login_locks_release(
    *, attempts: QuerySet[AccessAttempt], by: AbstractBaseUser, address: str | None = None
) -> int:
    """Lifts login locks (django-axes' failure counts), recording who lifted which: a sign-in record each,
    and a change of the account for the accounts that exist. Any organiser may lift any lock: it gives
    nobody anything but another try at their own password."""
    with transaction.atomic():
        released = list(attempts.select_for_update())
        accounts = get_user_model()._default_manager.filter(
            username__in={attempt.username for attempt in released if attempt.username}
        )
        for user in accounts:
            account_change_record(user=user, action=AccountAction.UNLOCKED, by=by)
        for attempt in released:
            sign_in_event_record(
                kind=Kind.UNLOCK,
                outcome=Outcome.SUCCESS,
                username=attempt.username or "",
                address=address,
                detail=_("locked from %(address)s after %(failures)d failures")
                % {"address": attempt.ip_address, "failures": attempt.failures_since_start},
                by=by,
            )
        AccessAttempt.objects.filter(pk__in=[attempt.pk for attempt in released]).delete()
    return len(released)


def account_unlock(*, user: AbstractBaseUser, by: AbstractBaseUser, address: str | None = None) -> int:
    """Lifts the login locks of one account (from every address); returns how many were lifted."""
    if not allowed(by, RUN_ROUND):
        raise Refused(_("Only the organisers can do this."))
    return login_locks_release(
        attempts=AccessAttempt.objects.filter(username=user.get_username()), by=by, address=address
    )


@transaction.atomic
def totp_devices_remove(
    *, devices: QuerySet[TOTPDevice], by: AbstractBaseUser, address: str | None = None
) -> int:
    """Removes authenticators (a lost phone) with their owners' backup codes; the owner sets up a new one at
    the next sign-in."""
    removed = list(devices.select_related("user"))
    for device in removed:
        StaticDevice.objects.filter(user=device.user).delete()
        sign_in_event_record(
            kind=Kind.DEVICE, outcome=Outcome.REMOVED, user=device.user, address=address, by=by
        )
    TOTPDevice.objects.filter(pk__in=[device.pk for device in removed]).delete()
    return len(removed)
