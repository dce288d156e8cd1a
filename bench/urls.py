"""Production routes plus `/api/bench/floor`: a bare DRF endpoint with the same
authentication and staff check, answering a fixed 50-item list (the floor we compare to)."""

from typing import Any

from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fractionax_support.urls import urlpatterns as production_urls

ITEMS = [{"id": index, "subject": f"Item {index}", "status": "open", "priority": "medium"} for index in range(50)]


class FloorView(APIView):
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response({"results": ITEMS})


urlpatterns = [path("api/bench/floor", FloorView.as_view()), *production_urls]
