"""Signing in and out, the second factor and its set-up, password change and reset (with their records)."""

from base64 import b32encode

import django_otp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice

from govcases.forms import OutboxPasswordResetForm
from govcases.permissions import needs_two_factor

from . import services
from .addresses import client_address
from .enums import SignInKind as Kind
from .enums import SignInOutcome as Outcome
from .forms import TokenForm
from .selectors import confirmed_totp_device, second_step_url, step_url


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home-after-login")


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        if needs_two_factor(form.get_user()):
            return redirect(second_step_url(form.get_user(), self.get_success_url()))
        return response


@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor(request):
    """The second step of signing in: a code from the authenticator app, or a backup code."""
    user = request.user
    next_url = _next(request)
    if user.is_verified() or not needs_two_factor(user):
        return redirect(next_url)
    if confirmed_totp_device(user) is None:
        return redirect(step_url("two-factor-setup", next_url))
    form = TokenForm(request.POST or None)
    if form.is_valid():
        device = django_otp.match_token(user, form.cleaned_data["token"])
        if device is not None:
            # A new session key for the elevated session, as Django does at sign-in.
            request.session.cycle_key()
            django_otp.login(request, device)
            by_backup_code = isinstance(device, StaticDevice)
            services.sign_in_event_record(
                kind=Kind.TWO_FACTOR,
                outcome=Outcome.SUCCESS,
                user=user,
                address=client_address(request),
                detail=_("backup code") if by_backup_code else "",
            )
            if by_backup_code:
                _tell_backup_codes_left(request, device)
            return redirect(next_url)
        services.sign_in_event_record(
            kind=Kind.TWO_FACTOR, outcome=Outcome.FAILURE, user=user, address=client_address(request)
        )
        form.add_error(
            "token",
            _(
                "That code is not right, or was used already. Enter the code your app shows now; "
                "after several wrong codes, wait a little before the next try."
            ),
        )
    return render(request, "accounts/two_factor.html", {"form": form, "next": next_url})


def _tell_backup_codes_left(request, device: StaticDevice) -> None:
    left = device.token_set.count()
    messages.warning(
        request,
        format_html(
            '{} <a href="{}">{}</a>',
            ngettext(
                "You signed in with a backup code; %(count)d is left.",
                "You signed in with a backup code; %(count)d are left.",
                left,
            )
            % {"count": left},
            reverse("two-factor-backup-codes"),
            _("Make new backup codes"),
        ),
    )


def _qr_code(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _secret_groups(device) -> str:
    """The secret as people type it into an app without a camera: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@sensitive_post_parameters("token")
@login_required
def two_factor_setup(request):
    """Setting up an authenticator app: scan the QR code, confirm with a code, get the backup codes once."""
    user = request.user
    next_url = _next(request)
    if not needs_two_factor(user):
        return redirect(next_url)
    if not user.is_verified() and confirmed_totp_device(user) is not None:
        # Replacing an authenticator needs the old one (or a backup code) first: a password alone must
        # never be enough to take over the second factor.
        return redirect(step_url("two-factor", request.get_full_path()))
    device = services.totp_device_start(user=user)
    form = TokenForm(request.POST or None)
    if form.is_valid():
        codes = services.totp_device_confirm(
            device=device, token=form.cleaned_data["token"], address=client_address(request)
        )
        if codes is not None:
            request.session.cycle_key()
            django_otp.login(request, device)
            return render(request, "accounts/backup_codes.html", {"codes": codes, "next": next_url})
        form.add_error("token", _("That code is not right. Enter the code your app shows now."))
    return render(
        request,
        "accounts/two_factor_setup.html",
        {"form": form, "next": next_url, "qr_code": _qr_code(device), "secret": _secret_groups(device)},
    )


@never_cache
@login_required
def backup_codes(request):
    """New backup codes on request (the old ones stop working); only in a session verified by a code."""
    user = request.user
    if not user.is_verified():
        return redirect(step_url("two-factor", request.get_full_path()))
    if request.method == "POST":
        codes = services.backup_codes_issue(user=user)
        return render(request, "accounts/backup_codes.html", {"codes": codes, "next": _next(request)})
    return render(request, "accounts/backup_codes_new.html", {"next": _next(request)})


class RecordsPasswordChange:
    """Records the change of password that Django's view just saved."""

    password_change_detail = ""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.sign_in_event_record(
            kind=Kind.PASSWORD_CHANGE,
            outcome=Outcome.SUCCESS,
            user=form.user,
            address=client_address(self.request),
            detail=str(self.password_change_detail),
        )
        return response


class PasswordChangeView(RecordsPasswordChange, auth_views.PasswordChangeView):
    pass


class PasswordResetConfirmView(RecordsPasswordChange, auth_views.PasswordResetConfirmView):
    password_change_detail = gettext_lazy("through a reset link")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, limited per address and per account, its e-mail sent through the outbox.
    Whether a mail went out or not, the answer is the same page, so that nobody learns which addresses have
    accounts or hit a limit."""

    form_class = OutboxPasswordResetForm

    def form_valid(self, form):
        allowed = services.password_reset_allowed(
            email=form.cleaned_data["email"], address=client_address(self.request)
        )
        if allowed:
            return super().form_valid(form)
        return redirect(self.get_success_url())
