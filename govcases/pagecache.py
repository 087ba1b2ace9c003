"""Whole-page caching of the public site for anonymous visitors.

Public pages change only when something is published, so a rendered page is kept until the next publication
(the key holds a stamp of the publications), per language and full path. The language switch on every page
is a form with a CSRF token, which must not be shared between visitors: the stored copy holds a slot where
each visitor's own token is put back.
"""

import hashlib
import re
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

from . import selectors

CACHE_SECONDS = 60 * 60
CSRF_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
TOKEN_SLOT = "\x00csrf-token\x00"


def _cacheable(request) -> bool:
    # Messages and a logged-in user's menu are per visitor; so is anything but a plain read.
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        and not len(messages.get_messages(request))
    )


def cached_for_the_public(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        parts = [selectors.publications_stamp(), request.LANGUAGE_CODE, request.get_full_path()]
        key = "public-page:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
        stored = cache.get(key)
        if stored is None:
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.streaming:
                body = CSRF_VALUE.sub(
                    lambda m: m.group(1) + TOKEN_SLOT + m.group(2), response.content.decode()
                )
                cache.set(key, (body, response["Content-Type"]), CACHE_SECONDS)
            return response
        body, content_type = stored
        response = HttpResponse(body.replace(TOKEN_SLOT, get_token(request)), content_type=content_type)
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapper
