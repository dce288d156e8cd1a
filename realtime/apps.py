from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "realtime"

    def ready(self) -> None:
        # The dashboards hear of every committed ticket change; the domain does not know them.
        from tickets import publishing

        from .broadcast import broadcast_events

        publishing.subscribe(listener=broadcast_events)
