import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from govcases.permissions import needs_two_factor

from . import lifetime
from .selectors import second_step_url, step_url


class SessionLifetimeMiddleware:
    """Signs a user out after SESSION_IDLE_TIMEOUT seconds without a request, and SESSION_ABSOLUTE_LIFETIME
    seconds after signing in, whatever they do (等保 2.0: session timeout)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            last_seen = session.get(lifetime.LAST_SEEN)
            reason = lifetime.expiry_reason(
                now=now,
                signed_in_at=session.get(lifetime.SIGNED_IN_AT),
                last_seen=last_seen,
                idle=settings.SESSION_IDLE_TIMEOUT,
                lifetime=settings.SESSION_ABSOLUTE_LIFETIME,
            )
            if reason is not None:
                request.signin_expired = reason
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after a time without activity. Please sign in again.")
                    if reason == lifetime.IDLE
                    else _("Your session has reached its maximum length. Please sign in again."),
                )
                return redirect(step_url("login", request.get_full_path()))
            if lifetime.last_seen_stale(now=now, last_seen=last_seen):
                session[lifetime.LAST_SEEN] = now
                session.setdefault(lifetime.SIGNED_IN_AT, now)
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends an organiser or reviewer who signed in with the password alone to the second step (or to set up
    an authenticator first) before any other page; the admin sites refuse them besides (has_permission)."""

    ALLOWED = ("two-factor", "two-factor-setup", "logout", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and needs_two_factor(user):
            allowed = {reverse(name) for name in self.ALLOWED}
            if request.path not in allowed and not request.path.startswith(settings.STATIC_URL):
                return redirect(second_step_url(user, request.get_full_path()))
        return self.get_response(request)
