"""`manage.py helpscout_webhook --url https://support.example.com` registers this
installation's webhook at Help Scout through the Mailbox API, or checks it (`--check`).
Running it again changes nothing unless something at Help Scout differs."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from integrations.helpscout.client import HelpScoutClient, HelpScoutError
from integrations.helpscout.webhook_setup import checked_secret, ensure_webhook, webhook_url


class Command(BaseCommand):
    help = "Register (or check, with --check) the Help Scout webhook of this installation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", required=True, help="Public https URL: the webhook's own, or the installation's base."
        )
        parser.add_argument("--check", action="store_true", help="Only report; exit 1 if something must change.")
        parser.add_argument(
            "--resend-secret",
            action="store_true",
            help="Send HELPSCOUT_WEBHOOK_SECRET again (after changing it; Help Scout never shows it).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.HELPSCOUT_APP_ID and settings.HELPSCOUT_APP_SECRET):
            raise CommandError("Set HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET (a Help Scout app's credentials).")
        try:
            url = webhook_url(options["url"])
            secret = checked_secret(settings.HELPSCOUT_WEBHOOK_SECRET)
            report = ensure_webhook(
                HelpScoutClient.from_settings(),
                url,
                secret=secret,
                mailbox_id=settings.HELPSCOUT_MAILBOX_ID,
                apply=not options["check"],
                resend_secret=options["resend_secret"],
            )
        except (ValueError, HelpScoutError) as error:
            raise CommandError(str(error)) from None
        what = f"Help Scout webhook {report.webhook_id or '(none)'} for {url}"
        for problem in report.problems:
            self.stdout.write(f"{what}: {problem}")
        if report.action == "needed":
            raise CommandError(f"{what} needs to be {'created' if not report.webhook_id else 'updated'}.")
        self.stdout.write(f"{what}: {'up to date' if report.action == 'unchanged' else report.action}.")
