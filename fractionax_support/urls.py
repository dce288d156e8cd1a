from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from fractionax_support.metrics_view import MetricsView
from realtime.views import websocket_ticket
from tickets.api.auth import TokenObtainView, TokenRefreshThrottledView


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page links; the icon itself is a static file
    (its URL is worked out per request: in production it carries the manifest's hash)."""

    def get_redirect_url(self, *args: object, **kwargs: object) -> str:
        return static("favicon.ico")


# The admin's left sidebar repeats its index page and takes a fifth of a 1,400 px screen
# from the lists beside it; the breadcrumbs lead back to the index.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("", RedirectView.as_view(pattern_name="dashboard:ticket-list"), name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("dashboard/", include("tickets.urls")),
    path("admin/", admin.site.urls),
    re_path(r"^api/auth/token/?$", TokenObtainView.as_view(), name="token-obtain"),
    re_path(r"^api/auth/token/refresh/?$", TokenRefreshThrottledView.as_view(), name="token-refresh"),
    re_path(r"^api/auth/ws-ticket/?$", websocket_ticket, name="ws-ticket"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    re_path(r"^metrics/?$", MetricsView.as_view(), name="metrics"),
    # Before the tickets' router, whose {id} route would take `integration-status`.
    path("api/", include("integrations.urls")),
    path("api/", include("tickets.api.urls")),
]
