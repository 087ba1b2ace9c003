from django.db import models
from django.utils.translation import gettext_lazy as _


class SignInKind(models.TextChoices):
    LOGIN = "login", _("sign-in")
    TWO_FACTOR = "two_factor", _("two-factor code")
    LOCKOUT = "lockout", _("lockout")
    LOGOUT = "logout", _("sign-out")
    PASSWORD_CHANGE = "password_change", _("password change")
    PASSWORD_RESET = "password_reset", _("password reset request")
    DEVICE = "device", _("two-factor enrolment")
    UNLOCK = "unlock", _("unlock")


class SignInOutcome(models.TextChoices):
    SUCCESS = "success", _("success")
    FAILURE = "failure", _("failure")
    REFUSED = "refused", _("refused (limit reached)")
    EXPIRED = "expired", _("session expired")
    REMOVED = "removed", _("removed")
