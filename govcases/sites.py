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
