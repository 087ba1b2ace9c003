"""Faults that lose nothing: a full or read-only disk during an upload, a database lock that outlasts the wait.

The faults are real, made at the level of the operating system or the database, not by replacing our code:
- a full disk: the process's file-size limit (RLIMIT_FSIZE), which makes the kernel refuse a write in the
  middle of the file, as a full disk does, and leaves the part already written behind;
- a read-only disk: the media folder's write permission taken away (and, for root, whom permissions do not
  stop, the effective user switched to nobody while the request runs);
- a lock: another database connection holds the lock on the cases table (SQLite) or the case's row
  (PostgreSQL, with a short lock_timeout) while the officer saves.

What the officer should notice: the form comes back with a message that says what happened, what they typed
is saved (or, when the database could not save it, still in the form), and no stray file remains on disk.
"""

import io
import os
import resource
import signal
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import model_to_dict
from django.urls import reverse
from PIL import Image

from govcases.models import CaseAttachment, CaseImage
from govcases.services import CASE_FIELDS
from tests import factories

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
NOT_STORED = "could not be stored: the server cannot save files at the moment"
SAVED = "Everything else you entered has been saved."
BUSY = "The site is too busy to save your changes right now."
PDF = b"%PDF-1.4\n" + b"0" * 400_000 + b"\n%%EOF\n"


def noisy_jpeg() -> bytes:
    """A photograph-like picture: noise does not compress, so its clean copy is several hundred kilobytes."""
    buffer = io.BytesIO()
    Image.effect_noise((1200, 900), 90).convert("RGB").save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


def files_on_disk(media: Path) -> set[str]:
    return {str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()}


@contextmanager
def disk_full_after(limit: int):
    """Writes past `limit` bytes of a file fail (EFBIG) as on a full disk, for this process, until the end."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error to handle, not a kill
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)


@contextmanager
def read_only(folder: Path):
    """Nothing can be written inside `folder`: its write permission is gone (and root acts as nobody)."""
    folders = [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    modes = {path: path.stat().st_mode for path in folders}
    for path in folders:
        path.chmod(0o555)
    as_root = os.geteuid() == 0
    if as_root:
        os.seteuid(65534)  # nobody
    try:
        yield
    finally:
        if as_root:
            os.seteuid(0)
        for path, mode in modes.items():
            path.chmod(mode)


@pytest.fixture
def draft(round_, officer, settings):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    (settings.MEDIA_ROOT / "cases").mkdir(parents=True, exist_ok=True)
    return case


def save_with(client, case, *, files: dict, **values):
    data = {**model_to_dict(case, fields=CASE_FIELDS), **values, "action": "save", **files}
    return client.post(reverse("portal:case_edit", args=[case.pk]), data, **EN)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["image", "attachment"])
def test_a_full_disk_during_an_upload_keeps_the_text_and_leaves_no_partial_file(
    client, draft, officer, settings, kind
):
    client.force_login(officer)
    before = files_on_disk(settings.MEDIA_ROOT)
    content = noisy_jpeg() if kind == "image" else PDF

    def upload():
        if kind == "image":
            return {"images": SimpleUploadedFile("现场照片.jpg", content, "image/jpeg")}
        return {"attachments": SimpleUploadedFile("实施方案.pdf", content, "application/pdf")}

    with disk_full_after(100_000):
        response = save_with(client, draft, files=upload(), title="磁盘已满时填写的标题")

    assert response.status_code == 200
    page = response.content.decode()
    name = "现场照片.jpg" if kind == "image" else "实施方案.pdf"
    assert f"“{name}” {NOT_STORED}" in page
    assert SAVED in page
    assert 'value="磁盘已满时填写的标题"' in page
    draft.refresh_from_db()
    assert draft.title == "磁盘已满时填写的标题"
    assert draft.images.count() == 1 and not draft.attachments.exists()
    assert files_on_disk(settings.MEDIA_ROOT) == before, "a partial file was left behind"

    # Once there is room again, the same upload works.
    response = save_with(client, draft, files=upload())
    assert response.status_code == 302, response.content.decode()[:3000]
    assert (CaseImage if kind == "image" else CaseAttachment).objects.filter(case=draft).count() == (
        2 if kind == "image" else 1
    )


@pytest.mark.django_db
def test_a_read_only_disk_during_an_upload_keeps_the_text_and_says_so(client, draft, officer, settings):
    client.force_login(officer)
    before = files_on_disk(settings.MEDIA_ROOT)
    upload = {"images": SimpleUploadedFile("现场照片.png", factories.png_bytes(), "image/png")}
    assert client.get(reverse("portal:case_edit", args=[draft.pk])).status_code == 200  # the site is up

    with read_only(settings.MEDIA_ROOT):
        response = save_with(client, draft, files=upload, summary="只读磁盘时填写的摘要")

    assert response.status_code == 200
    page = response.content.decode()
    assert f"“现场照片.png” {NOT_STORED}" in page
    assert SAVED in page
    draft.refresh_from_db()
    assert draft.summary == "只读磁盘时填写的摘要"
    assert draft.images.count() == 1
    assert files_on_disk(settings.MEDIA_ROOT) == before


# --- a database lock that outlasts the wait -------------------------------------------------------------------


@contextmanager
def cases_locked_by_another_connection(case):
    """Another connection holds the write lock while the block runs, as a long transaction would."""
    if connection.vendor == "sqlite":
        # The test database is SQLite's shared in-memory database; a second connection to it takes the cases
        # table's write lock. In shared-cache mode readers would wait for it too, unlike with a database file,
        # where they read on: read_uncommitted gives the site's connection a file's behaviour.
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE govcases_case SET title = title WHERE id = ?", [case.pk])
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA read_uncommitted = 1")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA read_uncommitted = 0")
        return
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=db["USER"],
        password=db["PASSWORD"],
    )
    other.execute("SELECT id FROM govcases_case WHERE id = %s FOR UPDATE", [case.pk])
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")  # the deployment's wait (20 s), shortened for the test
    try:
        yield
    finally:
        other.rollback()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")


@pytest.mark.django_db(transaction=True)
def test_a_lock_that_outlasts_the_wait_gives_the_form_back_as_typed(client, round_, officer):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, title="原来的标题")
    client.force_login(officer)
    typed = {"title": "锁定时输入的标题", "outcomes": "锁定时输入的成效：办理时限压缩80%。"}

    with cases_locked_by_another_connection(case):
        response = save_with(client, case, files={}, **typed)

    assert response.status_code == 200
    page = response.content.decode()
    assert BUSY in page and "please try again in a moment" in page
    assert 'value="锁定时输入的标题"' in page
    assert "锁定时输入的成效：办理时限压缩80%。" in page
    case.refresh_from_db()
    assert case.title == "原来的标题"  # not saved: the officer sends the form again

    response = save_with(client, case, files={}, **typed)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.title == "锁定时输入的标题"
