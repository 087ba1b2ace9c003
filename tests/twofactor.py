"""Real TOTP codes for the tests: an authenticator as a phone app holds it, and the code it shows (RFC 6238,
computed by django-otp's own oath functions, which the server checks against)."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import AUTHENTICATOR


def authenticator(user) -> TOTPDevice:
    """The user's confirmed authenticator, as if they had scanned the QR code and confirmed it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)


def code_for_step(device: TOTPDevice, step: int) -> str:
    generator = TOTP(device.bin_key, device.step, device.t0, device.digits)
    generator.time = device.t0 + step * device.step
    return f"{generator.token():0{device.digits}d}"


def current_step(device: TOTPDevice) -> int:
    return int((time.time() - device.t0) // device.step)


def current_code(device: TOTPDevice) -> str:
    """The code the app shows now; after a sign-in in this same step (the server takes each code once), the
    next step's code, which the server accepts one step early; after two, the code once it is due."""
    device.refresh_from_db()
    step = max(current_step(device), device.last_t + 1)
    while step > current_step(device) + device.tolerance:
        time.sleep(1)
    return code_for_step(device, step)
