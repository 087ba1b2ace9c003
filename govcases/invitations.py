"""The link of an invitation: where an invited person chooses their password, valid for
INVITATION_VALID_DAYS days (password resets keep Django's shorter PASSWORD_RESET_TIMEOUT).

The token is Django's password-reset token under a salt of its own: it stops working as soon as the
password is set (the hash it signs changes), and a reset link is no invitation link nor the other way round.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "govcases.invitations.InvitationTokenGenerator"

    @property
    def valid_seconds(self) -> int:
        return settings.INVITATION_VALID_DAYS * 24 * 60 * 60

    def check_token(self, user, token):
        # Django's check, with the invitation's own period in place of PASSWORD_RESET_TIMEOUT.
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > self.valid_seconds:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_token_generator = InvitationTokenGenerator()


def invitation_url(user) -> str:
    """The absolute link an invitation e-mail carries."""
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"
