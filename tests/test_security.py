"""Security settings, each a test: the deployment check, the refusal of an unsafe start, secure cookies, HSTS,
the Content-Security-Policy, CSRF on state-changing requests, login throttling and password rules.

Production settings are decided when the settings module is imported, so those tests start a Python process
with a production environment (DEBUG=0, a real secret key) instead of overriding settings in this one.
"""

import json
import os
import secrets
import string
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from govcases.enums import CaseStatus
from govcases.services import case_submit
from tests import factories

BASE_DIR = Path(__file__).resolve().parents[1]
PRODUCTION_HOST = "example.gov.cn"


def random_secret_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(50))


def django_process(args: list[str], env: dict[str, str], timeout: int = 120) -> subprocess.CompletedProcess:
    """Runs Python with the project's settings in a fresh process whose environment is exactly `env`."""
    base = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "govcases.settings", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    """A production environment with a migrated SQLite database and collected static files."""
    folder = tmp_path_factory.mktemp("production")
    env = {
        "DEBUG": "0",
        "SECRET_KEY": random_secret_key(),
        "ALLOWED_HOSTS": PRODUCTION_HOST,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "MEDIA_ROOT": str(folder / "media"),
        "STATIC_ROOT": str(folder / "static"),
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = django_process(["manage.py", *command, "--verbosity", "0"], env, timeout=300)
        assert done.returncode == 0, done.stderr
    return env


def test_the_deployment_check_passes_with_production_settings(production_env):
    done = django_process(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stdout + done.stderr


def test_the_deployment_check_fails_with_a_weak_secret_key(production_env):
    done = django_process(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        {**production_env, "SECRET_KEY": "short-key"},
    )
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


@pytest.mark.parametrize(
    "start",
    [["manage.py", "check"], ["-c", "import govcases.wsgi"]],
    ids=["manage.py", "wsgi (what gunicorn loads)"],
)
def test_the_app_refuses_to_start_with_debug_off_and_the_development_key(start, production_env):
    env = {key: value for key, value in production_env.items() if key != "SECRET_KEY"}
    done = django_process(start, env)
    assert done.returncode != 0
    assert "SECRET_KEY must be set" in done.stderr


PRODUCTION_REQUESTS = textwrap.dedent(
    """
    import json
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    User.objects.filter(username="prod-check").delete()
    User.objects.create_user("prod-check", password="a-long-and-unusual-passphrase")
    browser = Client(HTTP_HOST="example.gov.cn")
    plain = browser.get("/accounts/login/")
    probe = browser.get("/healthz")
    stylesheet = browser.get("/static/css/site.css", secure=True)  # the unhashed name the 500 page links
    page = browser.get("/accounts/login/", secure=True)
    login = browser.post(
        "/accounts/login/",
        {"username": "prod-check", "password": "a-long-and-unusual-passphrase"},
        secure=True,
    )
    language = browser.post("/i18n/setlang/", {"language": "en", "next": "/"}, secure=True)
    cookies = {}
    for response in (page, login, language):
        for name, morsel in response.cookies.items():
            cookies[name] = {key: morsel[key] for key in ("secure", "httponly", "samesite")}
    print(json.dumps({
        "plain": [plain.status_code, plain.headers.get("Location")],
        "probe": probe.status_code,
        "stylesheet": [stylesheet.status_code, stylesheet.headers.get("Content-Type")],
        "page": [page.status_code, dict(page.headers)],
        "login": login.status_code,
        "cookies": cookies,
    }))
    """
)


@pytest.fixture(scope="module")
def production_responses(production_env):
    done = django_process(["-c", PRODUCTION_REQUESTS], production_env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_redirects_plain_http_to_https(production_responses):
    status, location = production_responses["plain"]
    assert status == 301
    assert location == f"https://{PRODUCTION_HOST}/accounts/login/"


def test_a_load_balancer_probing_healthz_over_plain_http_is_answered(production_responses):
    assert production_responses["probe"] == 200


def test_whitenoise_serves_the_collected_static_files(production_responses):
    assert production_responses["stylesheet"][0] == 200
    assert production_responses["stylesheet"][1].startswith("text/css")


def test_production_sends_hsts_csp_and_the_other_security_headers(production_responses):
    status, headers = production_responses["page"]
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_cookies_are_secure(production_responses):
    assert production_responses["login"] == 302  # logged in: the session cookie was set
    cookies = production_responses["cookies"]
    assert {"sessionid", "csrftoken", "django_language"} <= set(cookies)
    for name, flags in cookies.items():
        assert flags["secure"] is True, name
        assert flags["samesite"] == "Lax", name
    assert cookies["sessionid"]["httponly"] is True
    assert cookies["csrftoken"]["httponly"] is True


def test_media_go_to_s3_compatible_storage_when_a_bucket_is_configured(production_env):
    """The django-storages settings block is valid for the installed version and signs private links."""
    env = {
        **production_env,
        "AWS_STORAGE_BUCKET_NAME": "govcases-media",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        "AWS_S3_REGION_NAME": "cn-north-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_LOCATION": "media",
        "AWS_ACCESS_KEY_ID": "test-access-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret-key",
    }
    code = (
        "import django; django.setup()\n"
        "from django.core.files.storage import default_storage as s\n"
        "from django.conf import settings\n"
        "print(s.__class__.__name__, s.url('cases/2024/11/abc.png'))\n"
        "print(settings.CONTENT_SECURITY_POLICY)"
    )
    done = django_process(["-c", code], env)
    assert done.returncode == 0, done.stderr
    storage_line, csp = done.stdout.strip().splitlines()
    storage_class, url = storage_line.split()
    assert storage_class == "S3Storage"
    assert url.startswith("http://127.0.0.1:9000/govcases-media/media/cases/2024/11/abc.png?")
    assert "X-Amz-Signature=" in url  # a private bucket, reached through expiring signed links
    assert "img-src 'self' data: http://127.0.0.1:9000 " in csp  # the browser may show those images


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        ("locmem", "django.core.cache.backends.locmem.LocMemCache"),
        ("database", "django.core.cache.backends.db.DatabaseCache"),
    ],
)
def test_the_cache_backend_is_chosen_by_the_environment(backend, expected, production_env):
    code = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    done = django_process(["-c", code], {**production_env, "CACHE_BACKEND": backend})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == expected


def test_an_unknown_cache_backend_refuses_to_start(production_env):
    done = django_process(["manage.py", "check"], {**production_env, "CACHE_BACKEND": "memory"})
    assert done.returncode != 0
    assert "CACHE_BACKEND must be one of" in done.stderr


# CSRF: every state-changing request needs the token.


@pytest.fixture
def strict_browser():
    return Client(enforce_csrf_checks=True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/accounts/login/", {"username": "someone", "password": "whatever-it-is"}),
        ("/accounts/logout/", {}),
        ("/admin/login/", {"username": "someone", "password": "whatever-it-is"}),
        ("/review/login/", {"username": "someone", "password": "whatever-it-is"}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(strict_browser, url, data):
    response = strict_browser.post(url, data)
    assert response.status_code == 403
    assert "django_language" not in response.cookies  # setlang did nothing


@pytest.mark.django_db
def test_a_post_with_the_csrf_token_is_accepted(strict_browser, officer):
    strict_browser.get("/accounts/login/")
    token = strict_browser.cookies["csrftoken"].value
    response = strict_browser.post(
        "/accounts/login/",
        {"username": officer.username, "password": factories.PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert strict_browser.session["_auth_user_id"] == str(officer.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["submit", "withdraw"])
def test_portal_actions_without_the_csrf_token_change_nothing(strict_browser, officer, round_, action):
    agency = officer.agency_membership.agency
    case = factories.CaseFactory(round=round_, agency=agency)
    if action == "withdraw":
        case = case_submit(case=case, by=officer)
    status = case.status
    strict_browser.force_login(officer)

    response = strict_browser.post(f"/portal/cases/{case.pk}/{action}/")

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == status
    assert status in {CaseStatus.DRAFT, CaseStatus.SUBMITTED}


# Login throttling (django-axes): five failures for one user name from one address lock it.


def wrong_logins(client, username, count, url="/accounts/login/"):
    return [client.post(url, {"username": username, "password": "not-the-password"}) for _ in range(count)]


@pytest.mark.django_db
def test_six_wrong_passwords_lock_the_account_even_against_the_right_one(client, officer):
    responses = wrong_logins(client, officer.username, 6)
    assert [response.status_code for response in responses[:4]] == [200] * 4  # the form, with an error
    assert responses[-1].status_code == 429
    assert "registration/locked_out.html" in [template.name for template in responses[-1].templates]

    right = client.post("/accounts/login/", {"username": officer.username, "password": factories.PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_locked_account_is_locked_at_every_login_door(client, organiser):
    wrong_logins(client, organiser.username, 5)
    response = client.post("/admin/login/", {"username": organiser.username, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_lock_is_per_user_name_so_others_can_still_log_in(client, officer, other_officer):
    wrong_logins(client, officer.username, 6)
    response = client.post(
        "/accounts/login/", {"username": other_officer.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other_officer.pk)


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(client, officer):
    wrong_logins(client, officer.username, 4)
    assert (
        client.post(
            "/accounts/login/", {"username": officer.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    client.logout()
    assert wrong_logins(client, officer.username, 4)[-1].status_code == 200  # not locked


# Password rules on the forms where users choose a password.

BAD_PASSWORDS = {
    "too short": "Ab3$xy",
    "common": "qwertyuiop",
    "only digits": "20240917123456",
}


@pytest.mark.django_db
@pytest.mark.parametrize("password", BAD_PASSWORDS.values(), ids=BAD_PASSWORDS.keys())
def test_the_password_change_form_refuses_weak_passwords(client, officer, password):
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {"old_password": factories.PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    officer.refresh_from_db()
    assert officer.check_password(factories.PASSWORD)


@pytest.mark.django_db
def test_the_password_change_form_refuses_a_password_like_the_user_name(client, officer):
    officer.username = "zhangminofficer"
    officer.save()
    client.force_login(officer)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "zhangminofficer1",
            "new_password2": "zhangminofficer1",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


@pytest.mark.django_db
def test_the_set_password_form_of_an_invitation_refuses_a_weak_password_and_takes_a_good_one(client, officer):
    uid = urlsafe_base64_encode(force_bytes(officer.pk))
    link = f"/accounts/reset/{uid}/{default_token_generator.make_token(officer)}/"
    form_url = client.get(link)["Location"]  # Django moves the token into the session, then shows the form

    weak = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"]

    good = "蓝天白云-government-2024"
    accepted = client.post(form_url, {"new_password1": good, "new_password2": good})
    assert accepted.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(good)
