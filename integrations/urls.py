from django.urls import re_path

from . import views
from .helpscout import views as helpscout_views
from .slack import views as slack_views

urlpatterns = [
    re_path(r"^admin/support-tickets/integration-status/?$", views.status_view, name="integration-status"),
    re_path(r"^admin/support-tickets/sync/helpscout/?$", views.helpscout_resync_view, name="helpscout-resync"),
    re_path(r"^webhooks/test/?$", views.webhook_test, name="webhook-test"),
    re_path(r"^webhooks/helpscout/?$", helpscout_views.helpscout_webhook, name="helpscout-webhook"),
    re_path(r"^webhooks/slack/?$", slack_views.events, name="slack-events"),
    re_path(r"^webhooks/slack/slash-commands/?$", slack_views.slash_commands, name="slack-slash-commands"),
]
