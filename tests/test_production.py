"""The site as production runs it: gunicorn with DEBUG=0, a migrated SQLite file, media on disk.

Uploaded files are reached through the permission-checked view (govcases.files) with no nginx in front, so the
view streams them itself: the owner sees their draft's picture, an anonymous visitor gets 404 for it, the
public sees a published case's picture, and `/media/` serves nothing.

The data is written by a separate process with the same settings (the test database of pytest is not the
file gunicorn reads).
"""

import json
import os
import secrets
from pathlib import Path

import pytest

from tests.test_multiserver import Browser, start_server, wait_until_healthy
from tests.test_security import django_process

BASE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "production-files-passphrase-2024"

SEED = """
import io, json
import django
django.setup()
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from govcases.enums import CaseStatus, Phase
from govcases.models import Agency, AgencyMember, Case, CaseImage, Round

def picture(colour):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()

round_ = Round.objects.create(
    year=2024, title="2024", phase=Phase.SUBMISSION, submission_deadline=timezone.now() + timedelta(days=7)
)
agency = Agency.objects.create(name="北京市海淀区人民政府", display_name="北京海淀区", level="district")
officer = User.objects.create_user("haidian", password=PASSWORD)
officer.groups.add(Group.objects.get_or_create(name="agencies")[0])
AgencyMember.objects.create(user=officer, agency=agency)
urls = {}
for key, status, colour in (("draft", CaseStatus.DRAFT, (200, 40, 40)), ("published", CaseStatus.PUBLISHED, (40, 40, 200))):
    case = Case.objects.create(round=round_, agency=agency, title=key, status=status)
    image = CaseImage.objects.create(
        case=case,
        image=ContentFile(picture(colour), name=f"cases/images/{key}.jpg"),
        thumbnail=ContentFile(picture(colour), name=f"cases/thumbnails/{key}.jpg"),
    )
    urls[key] = {"url": image.image.url, "name": image.image.name, "case": case.pk}
print(json.dumps(urls))
"""


def production_settings(database: Path, folder: Path) -> dict[str, str]:
    """The environment of a production server on a SQLite file, with its media and static files in `folder`."""
    return {
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{database}",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "LOG_LEVEL": "WARNING",
    }


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    """One gunicorn server with production settings on a migrated SQLite file holding a draft and a
    published case, each with a picture."""
    folder = tmp_path_factory.mktemp("production-site")
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "DJANGO_SETTINGS_MODULE": "govcases.settings",
        **production_settings(folder / "db.sqlite3", folder),
    }
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        done = django_process(["manage.py", *command, "--verbosity", "0"], env, timeout=300)
        assert done.returncode == 0, done.stderr
    done = django_process(["-c", f"PASSWORD = {PASSWORD!r}\n{SEED}"], env)
    assert done.returncode == 0, done.stderr
    files = json.loads(done.stdout)
    server = start_server("production", env, folder)
    try:
        wait_until_healthy(server)
        yield server, files, folder / "media"
    finally:
        server.process.terminate()
        server.process.wait(timeout=20)


def test_gunicorn_is_the_server_and_debug_is_off(production_site):
    server, files, media = production_site
    response = Browser().get(server, "/no-such-page/")
    assert response.status == 404
    assert 'id="error-404"' in response.text and "Traceback" not in response.text


def test_the_owner_sees_their_drafts_picture(production_site):
    server, files, media = production_site
    browser = Browser()
    browser.log_in(server, "haidian", PASSWORD)

    page = browser.get(server, f"/portal/cases/{files['draft']['case']}/")
    assert page.status == 200
    assert files["draft"]["url"] in page.text

    response = browser.get(server, files["draft"]["url"])
    assert response.status == 200, response.text[:500]
    assert response.headers["Content-Type"] == "image/jpeg"
    assert "no-store" in response.headers["Cache-Control"]


def test_an_anonymous_visitor_gets_404_for_a_drafts_picture(production_site):
    server, files, media = production_site
    response = Browser().get(server, files["draft"]["url"])
    assert response.status == 404
    assert 'id="error-404"' in response.text


def test_the_public_sees_a_published_cases_picture(production_site):
    server, files, media = production_site
    response = Browser().get(server, files["published"]["url"])
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert int(response.headers["Content-Length"]) == (media / files["published"]["name"]).stat().st_size


@pytest.mark.parametrize("case", ["draft", "published"])
def test_nothing_is_served_from_media_by_its_path(production_site, case):
    server, files, media = production_site
    assert (media / files[case]["name"]).exists()
    assert Browser().get(server, f"/media/{files[case]['name']}").status == 404


# --- /healthz: 200 only with a reachable, migrated database ----------------------------------------------------

HEALTH = """
from govcases.wsgi import application  # what gunicorn loads
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="127.0.0.1")
print(response.status_code, response.content.decode())
"""


def health_of(database: Path, tmp_path: Path) -> tuple[int, str]:
    env = production_settings(database, tmp_path)
    done = django_process(["-c", HEALTH], env)
    assert done.returncode == 0, done.stderr
    status, body = done.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(status), body


def test_a_missing_sqlite_file_is_an_error_and_never_created(tmp_path):
    database = tmp_path / "data" / "govcases.sqlite3"
    database.parent.mkdir()

    status, body = health_of(database, tmp_path)

    assert (status, json.loads(body)) == (503, {"status": "unavailable"})
    assert not database.exists(), "the server created an empty database"


def test_an_empty_database_is_not_healthy(tmp_path):
    database = tmp_path / "govcases.sqlite3"
    database.touch()
    status, body = health_of(database, tmp_path)
    assert status == 503
    assert json.loads(body) == {"status": "unavailable", "reason": "migrations not applied"}


def test_a_database_behind_the_code_is_not_healthy_until_migrated(tmp_path):
    database = tmp_path / "govcases.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x" * 50}
    done = django_process(["manage.py", "migrate", "govcases", "0001", "--noinput", "-v", "0"], env)
    assert done.returncode == 0, done.stderr
    assert health_of(database, tmp_path)[0] == 503

    done = django_process(
        ["manage.py", "migrate", "--noinput", "-v", "0"], env
    )  # creates nothing new: migrates
    assert done.returncode == 0, done.stderr
    assert health_of(database, tmp_path) == (200, '{"status": "ok"}')
