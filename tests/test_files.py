"""Uploaded files behind the design's permission check (govcases.files).

A published case's files are anyone's; otherwise only the case's agency, the organisers and the case's
assigned reviewers read them, and everyone else gets the same 404 as for a file that does not exist. The
bytes come through X-Accel-Redirect behind nginx, a signed link with an object store, or the view itself.
`/media/` serves nothing, under DEBUG either. The same under gunicorn with DEBUG=0: tests/test_production.py.
"""

import importlib
import re

import pytest
from django.core.files.base import ContentFile
from django.urls import clear_url_caches, reverse

from govcases.enums import CaseStatus
from govcases.models import CaseAttachment
from reviews.models import Assignment
from tests import factories
from tests.reading import read

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def draft(round_, officer):
    """agency A's draft, with one picture and one PDF attachment."""
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    CaseAttachment.objects.create(
        case=case, file=ContentFile(PDF, name="plan.pdf"), name="实施方案.pdf", size=len(PDF)
    )
    return case


def urls_of(case) -> dict[str, str]:
    image = case.images.get()
    return {
        "image": image.image.url,
        "thumbnail": image.thumbnail.url,
        "attachment": case.attachments.get().file.url,
    }


def stored_bytes(case) -> bytes:
    image = case.images.get()
    with image.image.open("rb") as stored:
        return stored.read()


def fetch(client, url):
    """GETs the URL and reads the whole answer (a streamed file is closed only once read)."""
    return read(client.get(url))


def test_the_links_point_at_the_file_view(draft):
    for url in urls_of(draft).values():
        assert url.startswith("/files/"), url


def test_the_owner_sees_their_drafts_files_and_the_portal_links_to_them(client, draft, officer):
    client.force_login(officer)
    page = client.get(reverse("portal:case", args=[draft.pk])).content.decode()
    urls = urls_of(draft)
    for url in urls.values():
        assert f'"{url}"' in page
        assert fetch(client, url).status_code == 200, url

    image = fetch(client, urls["image"])
    assert image["Content-Type"] == "image/png"
    assert image.body == stored_bytes(draft)
    assert "no-store" in image["Cache-Control"] and "private" in image["Cache-Control"]
    attachment = fetch(client, urls["attachment"])
    assert attachment.body == PDF
    assert attachment["Content-Type"] == "application/pdf"
    # Saved under the agency's own name, not the generated one.
    assert "attachment;" in attachment["Content-Disposition"]
    assert "%E5%AE%9E%E6%96%BD%E6%96%B9%E6%A1%88.pdf" in attachment["Content-Disposition"]


@pytest.mark.parametrize(
    "who", ["anonymous", "other agency", "unassigned reviewer", "officer without agency"]
)
def test_anyone_else_gets_404_for_a_drafts_files(client, draft, other_officer, who):
    users = {
        "other agency": other_officer,
        "unassigned reviewer": factories.ReviewerFactory(),
        "officer without agency": factories.UserFactory(),
    }
    if who in users:
        client.force_login(users[who])
    for url in urls_of(draft).values():
        response = fetch(client, url)
        assert response.status_code == 404, (who, url)
        assert 'id="error-404"' in response.content.decode()


@pytest.mark.parametrize("who", ["organiser", "assigned reviewer"])
def test_organisers_and_the_cases_reviewers_read_its_files(client, draft, organiser, who):
    user = organiser
    if who == "assigned reviewer":
        user = factories.ReviewerFactory()
        Assignment.objects.create(reviewer=user, case=draft)
    client.force_login(user)
    for url in urls_of(draft).values():
        assert fetch(client, url).status_code == 200, url


def test_a_reviewer_of_another_case_does_not(client, round_, draft, other_officer):
    reviewer = factories.ReviewerFactory()
    other_case = factories.CaseFactory(round=round_, agency=other_officer.agency_membership.agency)
    Assignment.objects.create(reviewer=reviewer, case=other_case)
    client.force_login(reviewer)
    assert fetch(client, other_case.images.get().image.url).status_code == 200
    assert fetch(client, urls_of(draft)["image"]).status_code == 404


def test_the_public_reads_a_published_cases_files(client, draft):
    draft.status = CaseStatus.PUBLISHED
    draft.save()
    for url in urls_of(draft).values():
        response = fetch(client, url)
        assert response.status_code == 200, url
        assert "public" in response["Cache-Control"]
    assert fetch(client, urls_of(draft)["image"]).body == stored_bytes(draft)


@pytest.mark.parametrize("status", [CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.SELECTED])
def test_a_selected_but_unpublished_case_stays_private(client, draft, status):
    draft.status = status
    draft.save()
    assert fetch(client, urls_of(draft)["image"]).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["cases/images/2024/01/nothing.jpg", "../settings.py", "cases/../../etc/passwd", "x" * 300, "%00"],
)
def test_a_name_no_case_has_is_404(client, organiser, name):
    client.force_login(organiser)
    assert fetch(client, f"/files/{name}").status_code == 404


def test_a_stored_file_without_a_row_is_not_served(client, organiser, settings):
    """A file left on disk (say, by an interrupted upload) belongs to no case: nobody reads it."""
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True)
    (settings.MEDIA_ROOT / "cases" / "stray.jpg").write_bytes(b"stray")
    client.force_login(organiser)
    assert client.get("/files/cases/stray.jpg").status_code == 404


def test_behind_nginx_the_view_hands_the_file_over_with_x_accel_redirect(client, draft, officer, settings):
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    client.force_login(officer)
    urls = urls_of(draft)

    response = fetch(client, urls["image"])

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + draft.images.get().image.name
    assert response["Content-Type"] == "image/png"
    assert response.content == b""  # nginx sends the bytes
    attachment = fetch(client, urls["attachment"])
    assert attachment["X-Accel-Redirect"].endswith(".pdf")
    assert "attachment;" in attachment["Content-Disposition"]
    # and the check still comes first
    client.logout()
    assert fetch(client, urls["image"]).status_code == 404


def test_with_an_object_store_the_view_redirects_to_a_signed_link(client, draft, officer, settings):
    names = urls_of(draft)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": "govcases-media",
                "endpoint_url": "http://127.0.0.1:9000",
                "region_name": "cn-north-1",
                "addressing_style": "path",
                "access_key": "test-access-key",
                "secret_key": "test-secret-key",
                "querystring_auth": True,
                "querystring_expire": 600,
            },
        },
    }
    client.force_login(officer)
    name = draft.images.get().image.name

    response = fetch(client, names["image"])

    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"http://127.0.0.1:9000/govcases-media/{name}?")
    assert "X-Amz-Signature=" in location and "X-Amz-Expires=600" in location
    client.logout()
    assert fetch(client, names["image"]).status_code == 404


@pytest.fixture
def debug_urls(settings):
    """The URL configuration as DEBUG=1 builds it (it is read once, at import)."""
    import govcases.urls

    settings.DEBUG = True
    importlib.reload(govcases.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(govcases.urls)
    clear_url_caches()


def test_media_is_never_served_by_its_path_under_debug_either(client, draft, debug_urls):
    name = draft.images.get().image.name
    response = client.get(f"/media/{name}")
    assert response.status_code == 404
    assert not re.search(rb"\xff\xd8|PNG", response.content[:8])
    assert fetch(client, f"/files/{name}").status_code == 404  # a draft: not for an anonymous visitor
