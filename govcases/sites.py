from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .permissions import is_organiser


class OrganiserAdminSite(admin.AdminSite):
    """`/admin/`: where the organisers run the round. Only the `organisers` group (and superusers) get in."""

    site_header = _("Government case selection: organisers")
    site_title = _("Organisers")
    index_title = _("Run the round")

    def has_permission(self, request):
        return is_organiser(request.user)


class OrganisersOnly:
    """Organisers manage everything on their site; Django's per-model permissions are not used for them."""

    def has_module_permission(self, request):
        return is_organiser(request.user)

    def has_view_permission(self, request, obj=None):
        return is_organiser(request.user)

    def has_add_permission(self, request, *args):
        return is_organiser(request.user)

    def has_change_permission(self, request, obj=None):
        return is_organiser(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_organiser(request.user)


class ReadOnly(OrganisersOnly):
    """Records that only services write: organisers may look, not touch."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class Board(OrganisersOnly):
    """A page hung on a proxy of Round: organisers open it and act on it, but never add or delete rounds there."""

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
