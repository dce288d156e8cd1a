"""Creates the staff superuser named by DJANGO_SUPERUSER_USERNAME / _PASSWORD (and
optionally _EMAIL) when both are set; does nothing when they are not or it exists."""

import os
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Ensure the superuser from DJANGO_SUPERUSER_USERNAME/PASSWORD exists (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not username or not password:
            return
        User = get_user_model()  # noqa: N806
        user, created = User.objects.get_or_create(
            username=username, defaults={"email": os.environ.get("DJANGO_SUPERUSER_EMAIL", "")}
        )
        if created:
            user.set_password(password)
        user.is_staff = user.is_superuser = user.is_active = True
        user.save()
        self.stdout.write(f"Superuser {username} {'created' if created else 'already exists'}.")
