"""People's accounts, sign-in records, login locks and authenticators in the organisers' admin at /admin/:
accounts invited, deactivated, reactivated, unlocked and changed only through the services (each audited as
an AccountChange), records read-only, locks lifted and lost authenticators removed only through the services
(both recorded)."""

from axes.models import AccessAttempt
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from govcases import services as people
from govcases.admin_actions import run_for_each
from govcases.exceptions import Refused
from govcases.models import AccountChange
from govcases.people_import import InviteAdmin, LanguageField, RowForm
from govcases.permissions import AGENCIES, REVIEWERS, RUN_ROUND, allowed
from govcases.sites import AuditTrailInline, OrganisersOnly, ReadOnly

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


# --- people's accounts -------------------------------------------------------------------------------------

# Django's own user admin answers by model permissions, which nobody has here (govcases.backends).
if admin.site.is_registered(User):
    admin.site.unregister(User)


def _role_choices(by) -> list[tuple[str, str]]:
    return [(role, label) for role, label in people.ROLE_LABELS.items() if role in people.roles_grantable(by)]


class AccountInviteForm(RowForm):
    """Someone invited in a role of their own (an evaluator; an organiser, by a superuser). Reviewers and
    agency officers have their own invitations, with their categories or agency."""

    role = forms.ChoiceField(label=_("role"))
    language = LanguageField()

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            choice for choice in _role_choices(by) if choice[0] not in {AGENCIES, REVIEWERS}
        ]


class AccountForm(forms.ModelForm):
    """A person's name, address and roles; a superuser also sees the staff and superuser flags."""

    roles = forms.MultipleChoiceField(label=_("roles"), required=False, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]

    def __init__(self, *args, by, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = _role_choices(by)
        self.fields["roles"].initial = list(self.instance.groups.values_list("name", flat=True))
        if by.is_superuser:
            self.fields["is_staff"] = forms.BooleanField(
                label=User._meta.get_field("is_staff").verbose_name,
                required=False,
                initial=self.instance.is_staff,
            )
            self.fields["is_superuser"] = forms.BooleanField(
                label=User._meta.get_field("is_superuser").verbose_name,
                required=False,
                initial=self.instance.is_superuser,
            )


def _account_action(name: str, description, service, done_message):
    """An action on the chosen accounts: `service(user, request)` for each, what it refuses told by name, and
    how many it did (those for which it returned something true: a deactivation of an inactive account
    does nothing)."""

    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        done = [
            result
            for result in run_for_each(modeladmin, request, queryset, lambda u: service(u, request))
            if result
        ]
        if done:
            modeladmin.message_user(request, done_message % {"count": len(done)}, messages.SUCCESS)

    action.__name__ = name
    return action


class AccountChangeInline(AuditTrailInline):
    model = AccountChange
    fk_name = "user"
    fields = ["at", "action", "detail", "by", "reason"]
    readonly_fields = fields


@admin.register(User)
class AccountAdmin(OrganisersOnly, InviteAdmin, admin.ModelAdmin):
    """Everyone's account: roles, whether a password was chosen, locks and the last sign-in; deactivate,
    reactivate, unlock and send an invitation again as actions. Organisers manage everyone but organisers
    and superusers, whose accounts (their own included) only a superuser changes."""

    list_display = [
        "username",
        "full_name",
        "email",
        "roles",
        "is_active",
        "password_chosen",
        "locked",
        "last_login",
    ]
    list_filter = ["is_active", "groups", "last_login"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["username"]
    actions = [
        _account_action(
            "deactivate",
            _("Deactivate: no more sign-in or e-mails"),
            lambda user, request: people.account_active_set(user=user, active=False, by=request.user),
            ngettext_lazy("%(count)d account deactivated.", "%(count)d accounts deactivated.", "count"),
        ),
        _account_action(
            "reactivate",
            _("Reactivate"),
            lambda user, request: people.account_active_set(user=user, active=True, by=request.user),
            ngettext_lazy("%(count)d account reactivated.", "%(count)d accounts reactivated.", "count"),
        ),
        _account_action(
            "unlock",
            _("Unlock: allow sign-in again after too many failures"),
            lambda user, request: services.account_unlock(
                user=user, by=request.user, address=client_address(request)
            ),
            ngettext_lazy("%(count)d account unlocked.", "%(count)d accounts unlocked.", "count"),
        ),
        _account_action(
            "resend_invitation",
            _("Send the invitation again (a new link)"),
            lambda user, request: people.invitation_resend(user=user, by=request.user) or True,
            ngettext_lazy("%(count)d invitation sent again.", "%(count)d invitations sent again.", "count"),
        ),
    ]
    readonly_fields = ["username", "is_active", "last_login", "date_joined"]
    inlines = [AccountChangeInline]
    change_list_template = "admin/people/account_change_list.html"

    def get_queryset(self, request):
        locked = AccessAttempt.objects.filter(
            username=OuterRef("username"), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
        )
        return super().get_queryset(request).prefetch_related("groups").annotate(is_locked=Exists(locked))

    def has_change_permission(self, request, obj=None):
        if not allowed(request.user, RUN_ROUND):
            return False
        try:
            if obj is not None:
                people.account_manage_check(user=obj, by=request.user)
        except Refused:
            return False
        return True

    def has_delete_permission(self, request, obj=None):
        # Accounts are deactivated, never deleted: their records and reviews name them.
        return False

    def get_fields(self, request, obj=None):
        form_fields = (
            list(self.get_form(request, obj).base_fields) if self.has_change_permission(request, obj) else []
        )
        return [*form_fields, *self.readonly_fields]

    def get_form(self, request, obj=None, change=False, **kwargs):
        by = request.user

        class BoundAccountForm(AccountForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, by=by, **form_kwargs)

        return BoundAccountForm

    def save_model(self, request, obj, form, change):
        # The form has already copied its values onto `obj`: the service compares with the stored account.
        data = form.cleaned_data
        people.account_update(
            user=User.objects.get(pk=obj.pk),
            by=request.user,
            first_name=data["first_name"],
            last_name=data["last_name"],
            email=data["email"],
            roles=set(data["roles"]),
            is_staff=data.get("is_staff"),
            is_superuser=data.get("is_superuser"),
        )

    def add_view(self, request, form_url="", extra_context=None):
        by = request.user

        class BoundInviteForm(AccountInviteForm):
            def __init__(self, *args, **form_kwargs):
                super().__init__(*args, by=by, **form_kwargs)

        return self.invite_view(
            request,
            form_class=BoundInviteForm,
            invite=lambda cleaned: people.account_invite(
                email=cleaned["email"],
                role=cleaned["role"],
                name=cleaned["name"],
                language=cleaned["language"],
                by=by,
            ),
            title=gettext("Invite someone"),
        )

    @admin.display(description=_("full name"), ordering="first_name")
    def full_name(self, user):
        return user.get_full_name()

    @admin.display(description=_("roles"))
    def roles(self, user):
        return "、".join(str(people.ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all())

    @admin.display(description=_("password chosen"), boolean=True)
    def password_chosen(self, user):
        return user.has_usable_password()

    @admin.display(description=_("locked out"), boolean=True, ordering="is_locked")
    def locked(self, user):
        return user.is_locked
