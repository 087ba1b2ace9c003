"""Sign-in records (等保 2.0 level 3 asks for an audit of every authentication event) and the login locks
that organisers may lift."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from .enums import SignInKind, SignInOutcome


def _user_link(verbose_name) -> models.ForeignKey:
    # Records outlive accounts: a deleted user leaves the typed name and an empty link.
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class SignInEvent(models.Model):
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("event"), max_length=16, choices=SignInKind.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=SignInOutcome.choices)
    user = _user_link(_("user"))
    # What was typed (a user name, or the e-mail address of a reset request), kept when no such user exists.
    username = models.CharField(_("user name or e-mail"), max_length=254, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    by = _user_link(_("by"))

    class Meta:
        verbose_name = _("sign-in event")
        verbose_name_plural = _("sign-in events")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "address", "at"], name="signin_kind_address_at"),
            models.Index(fields=["kind", "username", "at"], name="signin_kind_username_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=SignInKind.values), name="signin_kind_known"),
            models.CheckConstraint(
                condition=models.Q(outcome__in=SignInOutcome.values), name="signin_outcome_known"
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.outcome} {self.username}"


class LoginLock(AccessAttempt):
    """django-axes' failure counts, as organisers see them: who is locked out from where, and a way to unlock."""

    class Meta:
        proxy = True
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")


class Authenticator(TOTPDevice):
    """django-otp's TOTP device, as organisers see it: whose authenticator app it is and when it was used."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")
