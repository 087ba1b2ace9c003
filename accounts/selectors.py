from urllib.parse import urlencode

from django.urls import reverse

from .services import confirmed_totp_device


def step_url(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


def second_step_url(user, next_url: str) -> str:
    """Where a user who signed in with the password goes next: the code, or setting up an authenticator."""
    return step_url("two-factor" if confirmed_totp_device(user) else "two-factor-setup", next_url)
