"""The shape of `GET .../support-tickets/{id}/sla` (tickets/sla_explanation.py)."""

from typing import Any

from rest_framework import serializers

from ..representation import iso_time
from ..sla_explanation import SlaExplanation


class SlaPolicyRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    pauseOnWaitingCustomer = serializers.BooleanField()


class CalendarRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    timezone = serializers.CharField()


class SegmentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["running", "paused", "closed"])
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class TargetSerializer(serializers.Serializer):
    targetMinutes = serializers.IntegerField()
    deadline = serializers.DateTimeField(allow_null=True, help_text="Null while the clock is paused.")
    doneAt = serializers.DateTimeField(
        allow_null=True, help_text="When it was met: the first response, the resolution."
    )
    usedMinutes = serializers.IntegerField(help_text="On the clock: business minutes, pauses left out.")
    leftMinutes = serializers.IntegerField()
    state = serializers.ChoiceField(choices=["met", "missed", "overdue", "paused", "running"])
    reason = serializers.CharField()


class SlaExplanationSerializer(serializers.Serializer):
    policy = SlaPolicyRefSerializer(allow_null=True, help_text="Null: the default targets by priority.")
    calendar = CalendarRefSerializer(allow_null=True, help_text="Null: the clock runs around the clock.")
    firstResponse = TargetSerializer()
    resolution = TargetSerializer()
    segments = SegmentSerializer(many=True, help_text="From creation to resolution (or now), the latest 500.")
    isOverdue = serializers.BooleanField()
    explanation = serializers.CharField(help_text="Why it is, or is not, overdue, in words.")

    def to_representation(self, instance: SlaExplanation) -> dict[str, Any]:
        policy = instance.clock.policy
        calendar = policy.calendar if policy is not None else None
        targets = {
            target.name: {
                "targetMinutes": target.target_minutes,
                "deadline": iso_time(target.deadline),
                "doneAt": iso_time(target.done_at),
                "usedMinutes": target.used_minutes,
                "leftMinutes": target.left_minutes,
                "state": target.state,
                "reason": target.reason,
            }
            for target in instance.targets
        }
        return {
            "policy": None
            if policy is None
            else {"id": policy.pk, "name": policy.name, "pauseOnWaitingCustomer": policy.pause_on_waiting_customer},
            "calendar": None
            if calendar is None
            else {"id": calendar.pk, "name": calendar.name, "timezone": calendar.timezone},
            **targets,
            "segments": [
                {"kind": segment.kind, "start": iso_time(segment.start), "end": iso_time(segment.end)}
                for segment in instance.segments
            ],
            "isOverdue": instance.is_overdue,
            "explanation": instance.summary,
        }
