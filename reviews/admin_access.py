"""Who may use the organisers' reviewing pages: organisers only, checked once per request."""

from django.urls import NoReverseMatch, reverse

from govcases.permissions import is_organiser


def organiser_allowed(request) -> bool:
    """Whether the user is an organiser, asked once per request: the admin asks for every model on a page."""
    if not hasattr(request, "_reviews_is_organiser"):
        request._reviews_is_organiser = is_organiser(request.user)
    return request._reviews_is_organiser


class OrganisersOnly:
    """Organisers manage everything here; Django's per-model permissions are not used for them."""

    def has_module_permission(self, request):
        return organiser_allowed(request)

    def has_view_permission(self, request, obj=None):
        return organiser_allowed(request)

    def has_add_permission(self, request, *args):
        return organiser_allowed(request)

    def has_change_permission(self, request, obj=None):
        return organiser_allowed(request)

    def has_delete_permission(self, request, obj=None):
        return organiser_allowed(request)


def case_admin_url(case_id: int) -> str | None:
    try:
        return reverse("admin:govcases_case_change", args=[case_id])
    except NoReverseMatch:
        return None
