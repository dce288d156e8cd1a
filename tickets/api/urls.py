from django.urls import re_path
from rest_framework.routers import SimpleRouter

from .agents import AgentViewSet, TeamViewSet
from .attachments import AttachmentDownloadView
from .canned_responses import CannedResponseViewSet
from .custom_fields import CustomFieldViewSet
from .routing import RoutingRuleViewSet
from .sla_policies import BusinessCalendarViewSet, SlaPolicyViewSet
from .views import SupportTicketViewSet


class OptionalSlashRouter(SimpleRouter):
    """Every path answers with or without its trailing slash, without a redirect."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("admin/support-tickets", SupportTicketViewSet, basename="support-ticket")
router.register("admin/agents", AgentViewSet, basename="agent")
router.register("admin/teams", TeamViewSet, basename="team")
router.register("admin/business-calendars", BusinessCalendarViewSet, basename="business-calendar")
router.register("admin/sla-policies", SlaPolicyViewSet, basename="sla-policy")
router.register("admin/routing-rules", RoutingRuleViewSet, basename="routing-rule")
router.register("admin/custom-fields", CustomFieldViewSet, basename="custom-field")
router.register("admin/canned-responses", CannedResponseViewSet, basename="canned-response")

urlpatterns = [
    *router.urls,
    re_path(r"^admin/attachments/(?P<pk>[^/]+)/?$", AttachmentDownloadView.as_view(), name="attachment-download"),
]
