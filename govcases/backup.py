"""Backup and restore of the whole site: the database and the uploaded media in one tar.gz archive.

The archive holds `manifest.json` (format, time, row counts per model, size and SHA-256 of every media file),
`data.json` (as dumpdata writes it, with the original primary keys; content types and permissions by natural
key) and `media/<storage name>` for every file in the default storage. It is portable between SQLite and PostgreSQL, and between local disk and
S3-compatible object storage, because it goes through Django's serialisers and storage API only.

Left out on purpose: content types and permissions (migrate recreates them; rows point at them by natural
key), sessions (users log in again) and django-axes' login attempts (transient throttling state).
"""

import datetime
import hashlib
import io
import itertools
import json
import posixpath
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Model
from django.utils import timezone

FORMAT = "govcases-backup/1"
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {"auth.permission"}
# Rows that data migrations create in a fresh database: their presence does not make a database "non-empty".
SEEDED_MODELS = {"auth.group"}
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """The archive is not a backup this program can restore, or the target is not fit to receive it."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    database_vendor: str
    counts: dict[str, int]
    media: dict[str, dict]

    def as_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "created_at": self.created_at,
            "database_vendor": self.database_vendor,
            "counts": self.counts,
            "media": self.media,
        }
        return json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Manifest":
        body = json.loads(raw)
        if body.get("format") != FORMAT:
            raise BackupError(f"Not a {FORMAT} archive (format: {body.get('format')!r}).")
        return cls(body["created_at"], body["database_vendor"], body["counts"], body["media"])


def backed_up_models() -> list[type[Model]]:
    """Every concrete model whose rows the backup carries (proxies share their parent's table)."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED_APPS
        and model._meta.label_lower not in EXCLUDED_MODELS
        and not model._meta.proxy
        and model._meta.managed
    ]


def row_counts(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.using(using).count()
        for model in backed_up_models()
        if router.allow_migrate_model(using, model)
    }


def storage_files(storage: Storage, folder: str = "") -> list[str]:
    """Every file name in the storage, recursively, sorted; an absent media folder simply has none."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return []
    names = [posixpath.join(folder, name) if folder else name for name in files]
    for child in folders:
        names.extend(storage_files(storage, posixpath.join(folder, child) if folder else child))
    return sorted(names)


def backup_write(
    *, path: Path, storage: Storage = default_storage, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Writes the archive to `path` (a tar.gz) and returns its manifest.

    The data is dumped inside one repeatable-read snapshot on PostgreSQL, so rows and counts agree even while
    the site keeps running; media files are copied afterwards, and a file uploaded in between is harmless.
    """
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="govcases-backup-") as work:
        data_path = Path(work) / "data.json"
        with transaction.atomic(using=using):
            connection = connections[using]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            _dump(data_path, using)
            counts = row_counts(using)
        media = {}
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(data_path, arcname="data.json")
            for name in storage_files(storage):
                # One read per file (from the object store, a download): hashed and archived from a local copy.
                with storage.open(name, "rb") as stream, _spooled_copy(stream) as (copy, sha256, size):
                    info = tarfile.TarInfo(MEDIA_PREFIX + name)
                    info.size = size
                    info.mtime = int(timezone.now().timestamp())
                    archive.addfile(info, copy)
                media[name] = {"size": size, "sha256": sha256}
            manifest = Manifest(
                created_at=timezone.now().isoformat(),
                database_vendor=connections[using].vendor,
                counts=counts,
                media=media,
            )
            _add_bytes(archive, "manifest.json", manifest.as_json())
        # Only a complete archive gets the requested name: a crash never leaves a truncated "backup".
        partial.replace(path)
    return manifest


class _PreciseEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps the microseconds."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def _dump(path: Path, using: str) -> None:
    """What `dumpdata --all` writes, with full-precision times and natural keys where needed, to a file."""
    by_app = {}
    for model in backed_up_models():
        by_app.setdefault(apps.get_app_config(model._meta.app_label), []).append(model)
    ordered = serializers.sort_dependencies(by_app.items(), allow_cycles=True)
    rows = itertools.chain.from_iterable(
        model._base_manager.using(using).order_by(model._meta.pk.name).iterator() for model in ordered
    )
    with path.open("w", encoding="utf-8") as stream:
        _Serializer().serialize(rows, stream=stream, cls=_PreciseEncoder, use_natural_foreign_keys=True)


class _Serializer(JSONSerializer):
    """Natural keys only for rows that migrate recreates with other primary keys (content types, permissions).

    Every other reference keeps its primary key, which the restore preserves; that also spares loaddata one
    lookup query per reference (users are referenced from almost every table).
    """

    def _natural_for(self, field) -> bool:
        return field.remote_field.model in (ContentType, Permission)

    def handle_fk_field(self, obj, field):
        with self._natural_keys(self._natural_for(field)):
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        with self._natural_keys(self._natural_for(field)):
            super().handle_m2m_field(obj, field)

    @contextmanager
    def _natural_keys(self, wanted: bool):
        chosen = self.use_natural_foreign_keys
        self.use_natural_foreign_keys = chosen and wanted
        try:
            yield
        finally:
            self.use_natural_foreign_keys = chosen


def _add_bytes(archive: tarfile.TarFile, name: str, content: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(content))


def database_is_empty(using: str = DEFAULT_DB_ALIAS) -> bool:
    """True when no model holds rows except those a fresh migrate seeds (the role groups)."""
    return not any(count for label, count in row_counts(using).items() if label not in SEEDED_MODELS)


def _media_name(member: tarfile.TarInfo) -> str:
    """The storage name of an archived media file, refusing anything that could escape the media root."""
    name = member.name[len(MEDIA_PREFIX) :]
    parts = name.split("/")
    if not member.isfile() or not name or name.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise BackupError(f"Unsafe member in the archive: {member.name!r}")
    return name


def _flush_backed_up_tables(using: str) -> None:
    """Empties the tables the archive refills (with their many-to-many tables), nothing else."""
    connection = connections[using]
    tables = set()
    for model in backed_up_models():
        tables.add(model._meta.db_table)
        tables.update(
            field.remote_field.through._meta.db_table
            for field in model._meta.local_many_to_many
            if field.remote_field.through._meta.auto_created
        )
    statements = connection.ops.sql_flush(no_style(), sorted(tables), allow_cascade=True)
    connection.ops.execute_sql_flush(statements)


def backup_restore(
    *, path: Path, storage: Storage = default_storage, using: str = DEFAULT_DB_ALIAS, force: bool = False
) -> Manifest:
    """Loads an archive into a migrated database and puts the media files back.

    Refuses a database that already holds data unless `force`, in which case that data is replaced.
    Everything is checked against the manifest: row counts, and the size and checksum of each file.
    """
    path = Path(path)
    with tarfile.open(path, "r:gz") as archive:
        members = {member.name: member for member in archive.getmembers()}
        if "manifest.json" not in members or "data.json" not in members:
            raise BackupError("The archive has no manifest.json or data.json: it is not a govcases backup.")
        manifest = Manifest.from_json(archive.extractfile(members["manifest.json"]).read())
        media_members = {
            _media_name(member): member for name, member in members.items() if name.startswith(MEDIA_PREFIX)
        }
        if set(media_members) != set(manifest.media):
            raise BackupError("The media files in the archive differ from those its manifest lists.")
        if not force and not database_is_empty(using):
            raise BackupError(
                "The database already holds data. Restore into an empty migrated database, or pass --force "
                "to replace its data."
            )
        with tempfile.TemporaryDirectory(prefix="govcases-restore-") as work:
            data_path = Path(work) / "data.json"
            with archive.extractfile(members["data.json"]) as source, data_path.open("wb") as target:
                for chunk in iter(lambda: source.read(CHUNK), b""):
                    target.write(chunk)
            with transaction.atomic(using=using):
                _flush_backed_up_tables(using)
                # loaddata keeps the primary keys and, on PostgreSQL, moves the sequences past them.
                call_command("loaddata", str(data_path), database=using, verbosity=0)
                restored = row_counts(using)
                expected = {label: count for label, count in manifest.counts.items() if label in restored}
                wrong = {
                    label: (count, restored.get(label))
                    for label, count in expected.items()
                    if restored.get(label) != count
                }
                if wrong:
                    raise BackupError(f"Row counts differ after loading (expected, found): {wrong}")
        # In archive order, so that the compressed stream is read forwards only.
        for name, member in sorted(media_members.items(), key=lambda item: item[1].offset):
            _restore_file(archive, member, name, manifest.media[name], storage)
    return manifest


def _restore_file(archive: tarfile.TarFile, member, name: str, facts: dict, storage: Storage) -> None:
    with archive.extractfile(member) as stream, _spooled_copy(stream) as (copy, sha256, size):
        if (sha256, size) != (facts["sha256"], facts["size"]):
            raise BackupError(
                f"The archived file {name} does not match its checksum: the archive is damaged."
            )
        if storage.exists(name):
            # The same name always means the same upload (names are generated), so replace it.
            storage.delete(name)
        saved = storage.save(name, File(copy, name=posixpath.basename(name)))
    if saved != name:
        raise BackupError(f"The storage saved {name} as {saved}: restore it into an empty media storage.")


@contextmanager
def _spooled_copy(stream):
    """A seekable local copy of a stream (in memory up to 16 MB), with its SHA-256 and size.

    Archive members and object-store files must be read once, front to back: seeking back in a gzip stream
    decompresses it again from the start.
    """
    with tempfile.SpooledTemporaryFile(max_size=16 * CHUNK) as copy:
        digest, size = hashlib.sha256(), 0
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
            copy.write(chunk)
            size += len(chunk)
        copy.seek(0)
        yield copy, digest.hexdigest(), size
