"""Deletes attachment files that no row names (see tickets.attachments.orphans_delete)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tickets.attachments import orphans_delete


class Command(BaseCommand):
    help = "Deletes stored attachment files that no attachment names, older than --hours (default 24)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=int, default=24, help="Only files written at least this long ago.")
        parser.add_argument("--dry-run", action="store_true", help="List them, delete nothing.")

    def handle(self, *args: Any, hours: int, dry_run: bool, **options: Any) -> None:
        found = orphans_delete(older_than=timedelta(hours=hours), dry_run=dry_run)
        for name in found:
            self.stdout.write(name)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {len(found)} file{'s' if len(found) != 1 else ''} no attachment names.")
