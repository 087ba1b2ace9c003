from django.conf import settings
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Sends the Content-Security-Policy header: the site loads nothing from elsewhere and runs no inline script."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class SignedInPagesPrivateMiddleware:
    """Every answer to a signed-in user (portal, reviewer site, admin, and the public pages with their menu)
    is `Cache-Control: private, no-store`: contact details, scores and drafts must stay out of shared
    proxies and off the disk of an office computer. Anonymous visitors' pages are cached as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
