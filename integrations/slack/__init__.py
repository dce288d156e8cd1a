"""Slack: a live message per ticket in the support channel, buttons, slash commands and
thread replies as internal comments. Setup and behaviour: docs/slack.md."""
