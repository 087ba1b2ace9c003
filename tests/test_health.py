"""/healthz, and the error pages users see when something fails: Chinese, friendly, never a traceback.

The database is made unreachable for real: the connection settings point at a file that cannot be opened
(SQLite) or a closed port (PostgreSQL), and the request runs in a new thread, which opens a new connection.
"""

import re
import socket
import threading
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.template import loader
from django.test import Client
from django.urls import include, path

from tests import factories

pytestmark = pytest.mark.django_db


def raising_view(request):
    raise RuntimeError("secret detail 4711 from deep inside")


def forbidden_view(request):
    raise PermissionDenied


# A URL configuration for these tests: the site's URLs plus two views that fail on purpose.
urlpatterns = [
    path("test-boom/", raising_view),
    path("test-forbidden/", forbidden_view),
    path("", include("govcases.urls")),
]
handler400 = "govcases.views.bad_request"
handler403 = "govcases.views.permission_denied"
handler404 = "govcases.views.page_not_found"
handler500 = "govcases.views.server_error"

with_failing_views = pytest.mark.urls(__name__)


def closed_port() -> int:
    """A local port nothing listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_unreachable():
    """Points the default connection's settings at nothing; connections opened meanwhile fail for real.

    The settings dictionary is shared by every thread's connection to the alias, and a new thread opens
    its own connection, so only requests run through `in_new_thread` see the broken database.
    """
    settings_dict = connection.settings_dict
    saved = dict(settings_dict)
    if connection.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-folder/unreadable/govcases.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        settings_dict.clear()
        settings_dict.update(saved)


def in_new_thread(function):
    outcome = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # noqa: BLE001 - handed back to the test's thread
            outcome["error"] = error
        finally:
            connections.close_all()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=60)
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


def test_healthz_answers_ok_with_a_working_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_down(production):
    with database_unreachable():
        response = in_new_thread(lambda: production.get("/healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}

    # and it recovers once the database is back
    assert in_new_thread(lambda: production.get("/healthz")).status_code == 200


def test_a_page_needing_the_database_shows_the_chinese_error_page_when_it_is_down(production, officer):
    production.force_login(officer)
    with database_unreachable():
        response = in_new_thread(lambda: production.get("/portal/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert 'id="error-500"' in page
    assert "Traceback" not in page
    assert "OperationalError" not in page


@with_failing_views
def test_a_view_that_raises_gives_the_500_page_without_the_error(production, django_assert_num_queries):
    with django_assert_num_queries(0):  # the page must not need the database
        response = production.get("/test-boom/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "服务暂时不可用" in page
    assert "secret detail 4711" not in page
    assert "Traceback" not in page and "RuntimeError" not in page


@with_failing_views
def test_permission_denied_gives_the_403_page(production):
    response = production.get("/test-forbidden/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "403.html" in [template.name for template in response.templates]
    assert "Not allowed" in response.content.decode()


def test_an_unknown_address_gives_the_404_page(production):
    response = production.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="error-404"' in page
    assert "Page not found" in page
    assert "Traceback" not in page and "urlpatterns" not in page  # not Django's debug page


def test_error_pages_are_in_chinese_by_default(production):
    response = production.get("/no-such-page/")
    assert '<html lang="zh-hans">' in response.content.decode()


def test_the_404_page_speaks_chinese(production):
    # needs zh_Hans catalogue
    page = production.get("/no-such-page/").content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page).group(1)
    assert re.search(r"[\u4e00-\u9fff]", heading), heading
    assert "Page not found" not in page


def test_a_form_sent_without_its_csrf_token_gets_the_friendly_403_page(settings):
    settings.DEBUG = False
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    page = response.content.decode()
    assert 'id="error-403-csrf"' in page
    assert "CSRF verification failed" not in page  # not Django's technical wording


def test_the_500_page_renders_without_request_or_database():
    page = loader.get_template("500.html").render()
    assert "服务暂时不可用" in page and 'href="/"' in page


def test_an_officer_of_another_agency_gets_404_not_a_traceback(production, officer, other_officer, round_):
    """Another tenant's case is hidden (404) in production settings, with the friendly page."""
    case = factories.CaseFactory(round=round_, agency=other_officer.agency_membership.agency)
    production.force_login(officer)
    response = production.get(f"/portal/cases/{case.pk}/")
    assert response.status_code == 404
    assert 'id="error-404"' in response.content.decode()
