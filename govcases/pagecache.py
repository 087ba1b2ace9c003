"""Caching of rendered pages: the public site's whole pages for anonymous visitors, and pieces of pages.

Public pages change only when something is published, so a rendered page is kept until the next publication
(the key holds a stamp of the publications), per language and full path. A public page holds nothing that
belongs to one visitor (the language switch carries no CSRF token); a response that rendered a token is
never stored, so a form added to a public page cannot leak one visitor's token to the next.
"""

import hashlib
import re
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.safestring import SafeString, mark_safe

from . import selectors

CACHE_SECONDS = 60 * 60
# What a stored page keeps besides its body: the open-data downloads need their file names.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
TOKEN_SLOT = "\x00csrf-token\x00"


def _cacheable(request) -> bool:
    # Messages and a logged-in user's menu are per visitor; so is anything but a plain read.
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def _key(prefix: str, parts) -> str:
    return f"{prefix}:" + hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _token_slotted(html: str) -> str:
    return CSRF_VALUE.sub(lambda m: m.group(1) + TOKEN_SLOT + m.group(2), html)


def _token_filled(stored: str, request) -> str:
    return stored.replace(TOKEN_SLOT, get_token(request))


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
    """A piece of a page, rendered by `render()` once for each `key_parts` and language and kept in the cache.

    The key must hold everything the piece shows: the callers key it by the data's revision. The organisers'
    boards have forms in the piece: the stored copy holds a slot where each organiser's own CSRF token is put
    back.
    """
    key = _key("fragment", [request.LANGUAGE_CODE, *key_parts])
    stored = cache.get(key)
    if stored is None:
        stored = _token_slotted(render())
        cache.set(key, stored, CACHE_SECONDS)
    # Safe: rendered by our own templates, which escaped every value.
    return mark_safe(_token_filled(stored, request))
