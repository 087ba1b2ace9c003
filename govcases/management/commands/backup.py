from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from govcases.backup import backup_write


class Command(BaseCommand):
    help = "Writes the database and every media file into one tar.gz archive (restore it with `restore`)."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            help="Where to write the archive (default: govcases-backup-<time>.tar.gz in this folder).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path=None, database=DEFAULT_DB_ALIAS, **options):
        path = Path(path or f"govcases-backup-{timezone.now():%Y%m%d-%H%M%S}.tar.gz")
        manifest = backup_write(path=path, using=database)
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"Wrote {path}: {rows} rows of {len(manifest.counts)} models, {len(manifest.media)} media files."
        )
