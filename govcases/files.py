"""Uploaded files, each behind the design's permission check: `/files/<storage name>` (MEDIA_URL).

Anyone may read a file of a published case; otherwise only the case's agency, the organisers and the case's
assigned reviewers (the rule `govcases.read_case_files`, which reviews widens), except that the reviewers of a
blind round do not get the files marked identifying; anyone else gets a 404, as
for a name that does not exist, so that a file's existence is not given away.

The view decides, the bytes come from elsewhere where possible:
- behind nginx (MEDIA_ACCEL_REDIRECT set), an `X-Accel-Redirect` to an internal location serving MEDIA_ROOT;
- with files on an object store, a redirect to a short-lived signed link;
- otherwise the file itself, streamed.
Nothing under MEDIA_ROOT is served by its path: there is no `/media/` URL, under DEBUG either.
"""

import mimetypes
import re
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from . import selectors
from .permissions import READ_CASE_FILES, READ_IDENTIFYING_CASE_FILES, allowed

# The names this site gives files (govcases.models.upload_name): anything else is not ours, and a NUL byte
# would not even reach PostgreSQL.
STORED_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*", re.ASCII)
STORED_NAME_LENGTH = 200

# How long browsers and proxies may keep a published case's picture (it never changes under its name).
PUBLIC_MAX_AGE = 60 * 60


@require_safe
def case_file(request, name: str):
    if len(name) > STORED_NAME_LENGTH or not STORED_NAME.fullmatch(name) or ".." in name:
        raise Http404("No such file")
    found = selectors.case_file_get(name=name)
    if found is None or not (found.public or _may_read(request.user, found)):
        raise Http404("No such file")
    response = _file_response(name, found.download_name)
    if found.public:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    else:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _may_read(user, found: selectors.CaseFile) -> bool:
    if not allowed(user, READ_CASE_FILES, found.case):
        return False
    # A blind round's reviewers read the case's files, but not those that would tell them whose it is.
    return not found.identifying or allowed(user, READ_IDENTIFYING_CASE_FILES, found.case)


def _file_response(name: str, download_name: str | None):
    try:
        default_storage.path(name)
    except NotImplementedError:
        # An object store: its signed link expires (AWS_QUERYSTRING_EXPIRE) and names a private object.
        return HttpResponseRedirect(default_storage.url(name))
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    accel = settings.MEDIA_ACCEL_REDIRECT
    if accel:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = accel.rstrip("/") + "/" + quote(name)
        if download_name:
            response["Content-Disposition"] = content_disposition_header(True, download_name)
        return response
    if not default_storage.exists(name):
        raise Http404("No such file")
    return FileResponse(
        default_storage.open(name, "rb"),
        content_type=content_type,
        as_attachment=download_name is not None,
        filename=download_name or "",
    )
