from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class GovcasesConfig(AppConfig):
    name = "govcases"
    verbose_name = _("Cases")

    def ready(self):
        from . import lookups  # noqa: F401 - registers the range-checked foreign key lookup


class OrganiserAdminConfig(AdminConfig):
    default_site = "govcases.sites.OrganiserAdminSite"
