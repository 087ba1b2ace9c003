"""Sign-in records, login locks and authenticators in the organisers' admin at /admin/: records read-only,
locks lifted and lost authenticators removed only through the services (both recorded)."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from govcases.sites import OrganisersOnly, ReadOnly

from . import services
from .addresses import client_address
from .models import Authenticator, LoginLock, SignInEvent

# django-otp's own admins would show the secrets to anyone with the model permission; ours never do.
for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(SignInEvent)
class SignInEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "kind", "outcome", "username", "address", "detail", "by"]
    list_filter = ["kind", "outcome", "at"]
    search_fields = ["username", "address"]
    date_hierarchy = "at"
    list_select_related = ["by"]
    show_full_result_count = False


@admin.register(LoginLock)
class LoginLockAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "attempt_time"]
    search_fields = ["username", "ip_address"]
    fields = ["username", "ip_address", "failures_since_start", "attempt_time", "user_agent"]
    actions = ["unlock"]

    def has_change_permission(self, request, obj=None):
        # Actions need the change permission; the form itself stays read-only (no field is editable).
        return self.has_view_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    @admin.action(description=_("Unlock: allow these sign-ins again"))
    def unlock(self, request, queryset):
        count = services.login_locks_release(
            attempts=queryset, by=request.user, address=client_address(request)
        )
        self.message_user(
            request,
            ngettext("%(count)d lock lifted.", "%(count)d locks lifted.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Authenticator)
class AuthenticatorAdmin(OrganisersOnly, admin.ModelAdmin):
    """Authenticator apps of organisers and reviewers. Removing one (a lost phone) makes its owner set up a
    new one at the next sign-in; nobody adds or edits them here, and the secret is never shown."""

    list_display = ["user", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    fields = ["user", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.totp_devices_remove(
            devices=Authenticator.objects.filter(pk=obj.pk), by=request.user, address=client_address(request)
        )

    def delete_queryset(self, request, queryset):
        services.totp_devices_remove(devices=queryset, by=request.user, address=client_address(request))
