"""Caching of rendered pages: the public site's whole pages for anonymous visitors, and pieces of pages.

Public pages change only when something is published, so a rendered page is kept until the next publication
(the key holds a stamp of the publications), per language and full path. A public page holds nothing that
belongs to one visitor (the language switch carries no CSRF token); a response that rendered a token is
never stored, so a form added to a public page cannot leak one visitor's token to the next.
"""

import hashlib
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

from . import selectors

CACHE_SECONDS = 60 * 60
# What a stored page keeps besides its body: the open-data downloads need their file names.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
# The template variable in which a cached fragment's `{% fragment_form %}` tags list their forms' ids.
FRAGMENT_FORMS = "fragment_forms"


def _cacheable(request) -> bool:
    # Messages and a logged-in user's menu are per visitor; so is anything but a plain read.
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def _key(prefix: str, parts) -> str:
    return f"{prefix}:" + hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def cached_until(stamp):
    """Caches a public view's responses for anonymous visitors until `stamp()` changes.

    Another app's public pages (the evaluation's) pass the stamp of their own publications.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            key = _key("public-page", [stamp(), request.LANGUAGE_CODE, request.get_full_path()])
            stored = cache.get(key)
            if stored is None:
                response = view(request, *args, **kwargs)
                rendered_a_token = request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                if response.status_code == 200 and not response.streaming and not rendered_a_token:
                    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
                    cache.set(key, (response.content, headers), CACHE_SECONDS)
                return response
            body, headers = stored
            response = HttpResponse(body, headers=headers)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
            return response

        return wrapper

    return decorator


def cached_for_the_public(view):
    """The case selection's public pages: kept until the next publication of a round."""
    return cached_until(lambda: selectors.publications_stamp())(view)


def cached_fragment(request, key_parts, render) -> SafeString:
    """A piece of a page, rendered by `render(forms)` once for each `key_parts` and language and kept in the cache.

    The key must hold everything the piece shows: the callers key it by the data's revision. The piece is stored
    as rendered and holds nothing of one visitor's: a POST form in it carries no CSRF token but takes its id from
    `{% fragment_form %}` (govcases/templatetags/fragments.py), which lists it in `forms` — `render` passes that
    list to its template as `fragment_forms`. Each visitor's token is added after the piece, one hidden input
    per form naming it (`form="…"`), so the stored HTML is never rewritten.
    """
    key = _key("board-fragment", [request.LANGUAGE_CODE, *key_parts])
    stored = cache.get(key)
    if stored is None:
        forms: list[str] = []
        html = render(forms)
        if "csrfmiddlewaretoken" in html:
            raise ImproperlyConfigured(
                "A cached fragment would keep one visitor's CSRF token: name its forms with {% fragment_form %}."
            )
        stored = (html, tuple(forms))
        cache.set(key, stored, CACHE_SECONDS)
    html, form_ids = stored
    # Safe: rendered by our own templates, which escaped every value.
    return mark_safe(html) + csrf_inputs(request, form_ids)


def csrf_inputs(request, form_ids) -> SafeString:
    """This visitor's CSRF token for each of the forms `form_ids`, wherever in the page they are."""
    token = get_token(request) if form_ids else ""
    return format_html_join(
        "",
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}" form="{}">',
        ((token, form_id) for form_id in form_ids),
    )
