"""`manage.py slack_manifest --host https://support.example.com` prints the Slack app
manifest of this installation (JSON), to paste into Slack's "Create an app" > "From a
manifest"."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.slack.manifest import DEFAULT_NAME, app_manifest


class Command(BaseCommand):
    help = "Print the Slack app manifest (scopes, events, request URLs) for this installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", required=True, help="Public base URL of this installation (https://...).")
        parser.add_argument("--name", default=DEFAULT_NAME, help=f"The app's name in Slack (default {DEFAULT_NAME}).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = app_manifest(options["host"], name=options["name"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(manifest, indent=2))
