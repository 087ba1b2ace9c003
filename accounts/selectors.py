from urllib.parse import urlencode

from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice


def step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def confirmed_totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_step_url(user, next_url: str) -> str:
    """Where a user who signed in with the password goes next: the code, or setting up an authenticator."""
    return step_url("two-factor" if confirmed_totp_device(user) else "two-factor-setup", next_url)
