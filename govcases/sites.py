from django.contrib import admin, messages
from django.utils.functional import SimpleLazyObject
from django.utils.text import smart_split
from django.utils.translation import gettext_lazy as _

from .permissions import is_organiser
from .search import search_terms


class BoundedSearch:
    """The admin's search box, bounded as the public one (govcases.search), with a message when cut."""

    def get_search_results(self, request, queryset, search_term):
        terms = search_terms(search_term, split=smart_split)
        if terms.cut:
            messages.warning(request, terms.notice())
        return super().get_search_results(request, queryset, " ".join(terms.words))


class AppListOnDemandSite(admin.AdminSite):
    """An admin site that builds its app list only when a page shows it, and then once per request, and whose
    every search is bounded (BoundedSearch).

    Django's each_context builds the whole app list (every model's permissions and URLs) for the nav sidebar on
    every admin page, even where the sidebar is off, and the index builds it again for its own list.
    """

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every model admin of the site gets the bounded search, so that none can be forgotten.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedSearch):
            admin_class = type(
                admin_class.__name__, (BoundedSearch, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return super().get_app_list(request, app_label)
        return SimpleLazyObject(lambda: self._app_list_once(request))

    def _app_list_once(self, request):
        built = getattr(request, "_govcases_app_list", None)
        if built is None or built[0] is not self or built[1] is not request.user:
            built = (self, request.user, super().get_app_list(request))
            request._govcases_app_list = built
        return built[2]


class OrganiserAdminSite(AppListOnDemandSite):
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
