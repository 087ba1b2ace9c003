from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from govcases.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Loads an archive written by `backup` into an empty migrated database and puts its media files back. "
        "Run `migrate` first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The archive written by `backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data of a database that is not empty (its current rows are deleted).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, path, force=False, database=DEFAULT_DB_ALIAS, **options):
        try:
            manifest = backup_restore(path=path, using=database, force=force)
        except (BackupError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"Restored {path} (written {manifest.created_at}): {rows} rows, {len(manifest.media)} media files."
        )
