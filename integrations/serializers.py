"""Shapes of the integrations' own API answers (camelCase, as the API's contract)."""

from rest_framework import serializers


class IntegrationHealthSerializer(serializers.Serializer):
    configured = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["ok", "error", "not_configured"])
    lastSyncAt = serializers.DateTimeField(allow_null=True)
    lastError = serializers.CharField(allow_null=True)
    missing = serializers.ListField(
        child=serializers.CharField(),
        help_text="Settings this integration uses that are not set (e.g. SLACK_SIGNING_SECRET); empty when none.",
    )


class IntegrationStatusSerializer(serializers.Serializer):
    helpScout = IntegrationHealthSerializer()
    slack = IntegrationHealthSerializer()


class QueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()


class WebhookTestSerializer(serializers.Serializer):
    status = serializers.CharField()
    endpoints = serializers.ListField(child=serializers.CharField())
