from rest_framework.routers import SimpleRouter

from .routing import RoutingRuleViewSet
from .views import SupportTicketViewSet


class OptionalSlashRouter(SimpleRouter):
    """Every path answers with or without its trailing slash, without a redirect."""

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("admin/support-tickets", SupportTicketViewSet, basename="support-ticket")
router.register("admin/routing-rules", RoutingRuleViewSet, basename="routing-rule")

urlpatterns = router.urls
