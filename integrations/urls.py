from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^webhooks/test/?$", views.webhook_test, name="webhook-test"),
]
