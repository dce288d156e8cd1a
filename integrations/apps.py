from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"

    def ready(self) -> None:
        # Ticket changes reach Slack and Help Scout through the outbox; the domain does not
        # know them.
        from tickets import publishing

        from .outbox import kick_for_events, record_events

        publishing.subscribe(recorder=record_events, listener=kick_for_events)
