"""Settings that configure each integration in tests (pointed elsewhere by the test's own
*_API_URL)."""

HELPSCOUT = {
    "HELPSCOUT_APP_ID": "app-id",
    "HELPSCOUT_APP_SECRET": "app-secret",
    "HELPSCOUT_MAILBOX_ID": "42",
    "HELPSCOUT_WEBHOOK_SECRET": "webhook-secret",
}
SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SUPPORT_CHANNEL_ID": "C0SUPPORT", "SLACK_SIGNING_SECRET": "signing"}
