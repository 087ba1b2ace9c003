from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class GovcasesConfig(AppConfig):
    name = "govcases"
    verbose_name = _("Cases")


class OrganiserAdminConfig(AdminConfig):
    default_site = "govcases.sites.OrganiserAdminSite"
