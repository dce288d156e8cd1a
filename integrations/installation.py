"""This installation's name in what it leaves at the providers (Slack message metadata,
the mark on Help Scout threads), so that a lookup never takes another installation's
message for its own: staging and production may share a channel or a mailbox, and a
re-created database numbers its outbox anew."""

import hashlib

from django.conf import settings


def installation_id() -> str:
    if settings.INSTALLATION_ID:
        return str(settings.INSTALLATION_ID)
    return hashlib.sha256(f"fractionax-installation:{settings.SECRET_KEY}".encode()).hexdigest()[:12]
