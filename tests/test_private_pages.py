"""Headers and limits: signed-in pages are never stored by a browser or a proxy; an anonymous visitor's public
pages are still cached; a bad or oversized request gets the site's own page, in the visitor's language."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories
from tests.govcases.test_public import SPECS_2024, publish
from tests.reading import read

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def private(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


@pytest.fixture
def published(db):
    return publish(2023, SPECS_2024, images=1)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("officer", "portal:dashboard"),
        ("officer", "portal case"),
        ("officer", "portal case form"),
        ("officer", "portal case picture"),
        ("reviewer", "review:reviews_assignment_changelist"),
        ("organiser", "admin:index"),
        ("organiser", "admin:govcases_case_changelist"),
        ("organiser", "admin case"),
        ("officer", "public:home"),
        ("organiser", "public:cases"),
        ("officer", "password_change"),
    ],
)
def test_every_signed_in_page_is_private_and_not_stored(
    client, round_, officer, organiser, who, page, published
):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    url = {
        "portal case": reverse("portal:case", args=[case.pk]),
        "portal case form": reverse("portal:case_edit", args=[case.pk]),
        "portal case picture": case.images.get().image.url,
        "admin case": reverse("admin:govcases_case_change", args=[case.pk]),
    }.get(page) or reverse(page)
    user = {"officer": officer, "organiser": organiser, "reviewer": factories.ReviewerFactory()}[who]
    client.force_login(user)

    response = read(client.get(url))

    assert response.status_code == 200, url
    assert private(response), (url, response.get("Cache-Control"))


def test_a_published_picture_is_private_for_a_signed_in_user_and_public_for_others(
    client, officer, published
):
    publication, cases = published
    url = next(iter(cases.values())).images.get().image.url
    anonymous = read(client.get(url))
    assert "public" in anonymous["Cache-Control"] and not private(anonymous)
    client.force_login(officer)
    signed_in = read(client.get(url))
    assert private(signed_in)


def test_anonymous_public_pages_are_not_marked_private_and_stay_cached(
    client, published, django_assert_num_queries
):
    first = client.get("/cases/")
    assert first.status_code == 200
    assert not private(first)
    with django_assert_num_queries(1):  # the publications' stamp; the page itself comes from the cache
        again = client.get("/cases/")
    assert again.status_code == 200 and "粤省事" in again.content.decode()
    assert not private(again)


@pytest.fixture
def production(settings):
    """A browser on the production site, holding the CSRF cookie that the login page gave it."""
    settings.DEBUG = False
    browser = Client(raise_request_exception=False, enforce_csrf_checks=True)
    browser.get("/accounts/login/")
    return browser


def test_an_oversized_request_gets_the_sites_413_page(production, settings):
    too_much = "长" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 3 + 10)  # three bytes each in UTF-8

    response = production.post("/accounts/login/", {"username": "x", "password": too_much}, **EN)

    assert response.status_code == 413
    page = response.content.decode()
    assert 'id="error-413"' in page
    assert "A form may send at most 30.0\xa0MB at once" in page
    assert "Bad Request" not in page


def test_the_413_page_speaks_chinese_by_default(production, settings):
    too_much = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = production.post("/accounts/login/", {"username": too_much})
    assert response.status_code == 413
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page and "一次提交的内容过多" in page


def test_too_many_fields_get_the_sites_400_page(production):
    fields = {f"field{number}": "x" for number in range(1100)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000
    response = production.post("/accounts/login/", fields, **EN)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-400"' in page and "The request could not be read" in page
    assert "Bad Request (400)" not in page


def test_an_unknown_host_gets_the_sites_400_page_in_chinese(production):
    response = production.get("/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="error-400"' in page and "无法识别的请求" in page
