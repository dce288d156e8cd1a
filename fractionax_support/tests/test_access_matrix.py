"""Who gets through: every API endpoint (from the OpenAPI schema, checked against the URL
resolver), every dashboard page (from the resolver) and every Django admin page (from
the admin's registry), each method, called by every kind of caller. Only staff get
through; everyone else is refused and changes nothing. An endpoint added later is in
the matrix without editing this file; one the schema misses fails the first test.

The only endpoints open to others are listed here, each with its reason."""

import itertools
import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import jwt
import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from tickets import agents, canned_responses, custom_fields, routing, sla_policies
from tickets.attachments import IncomingFile
from tickets.models import Attachment, SupportTicket
from tickets.tests.factories import StaffFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


# Open to anyone: they describe the API or hand out tokens, and hold no data.
PUBLIC = {
    "schema": "the OpenAPI description",
    "docs": "the Swagger UI over it",
    "webhook-test": "lists the webhook paths",
    "token-obtain": "logging in",
    "token-refresh": "exchanges a refresh token",
}
# Open to Slack and Help Scout: the request's signature is the credential, not a user.
SIGNED = {
    "helpscout-webhook": "/api/webhooks/helpscout",
    "slack-events": "/api/webhooks/slack",
    "slack-slash-commands": "/api/webhooks/slack/slash-commands",
}
# Dashboard pages that only log in or out, and the icon browsers ask every site for.
DASHBOARD_OPEN = {"home", "login", "logout", "favicon"}
# Read by staff as the API is, and by a Prometheus scraper holding METRICS_TOKEN
# (fractionax_support/tests/test_metrics.py). /healthz and /readyz are not routes: the
# first middleware answers them, to anyone (fractionax_support/tests/test_health.py).
OPERATIONS = {"metrics": "/metrics"}


# --- What there is to call ---


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    """(full route, namespace, pattern) of every URL the project answers."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
        else:
            yield prefix + str(pattern.pattern), namespace, pattern


def api_route_names() -> set[str]:
    return {
        pattern.name or route
        for route, namespace, pattern in _routes(get_resolver().url_patterns)
        if re.match(r"\^?api/", route) and namespace != "admin"
    }


def schema_operations() -> list[tuple[str, str]]:
    """(method, path with `{id}`) of every operation in the public OpenAPI schema."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [(method.upper(), path) for path, operations in schema["paths"].items() for method in operations]


def protected_operations() -> list[tuple[str, str]]:
    open_names = set(PUBLIC) | set(SIGNED)  # the signed webhooks have tests of their own below
    return [
        (method, path) for method, path in schema_operations() if resolve(concrete(path, 1)).url_name not in open_names
    ]


HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def unlisted_operations(operations: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Every other method on the same paths."""
    listed = set(operations)
    paths = sorted({path for _, path in operations})
    return [(method, path) for path in paths for method in HTTP_METHODS if (method, path) not in listed]


def concrete(path: str, key: int | str) -> str:
    return re.sub(r"\{[^}]+\}", str(key), path)


def dashboard_urls(ticket: SupportTicket) -> list[str]:
    """Every dashboard page, its id naming a row of its kind: an agent or a team of its own
    (a page may delete it), or the ticket."""
    urls = []
    for _, namespace, pattern in _routes(get_resolver().url_patterns):
        if namespace == "dashboard":
            kind = pattern.name.split("-")[0] if pattern.name else ""
            row_id = DASHBOARD_ROWS[kind]() if kind in DASHBOARD_ROWS and pattern.pattern.converters else ticket.pk
            arguments = {name: row_id for name in pattern.pattern.converters}
            urls.append(reverse(f"dashboard:{pattern.name}", kwargs=arguments))
    return urls


DASHBOARD_ROWS: dict[str, Callable[[], int]] = {
    "agent": lambda: RESOURCES["/api/admin/agents/"](),
    "team": lambda: RESOURCES["/api/admin/teams/"](),
    "attachment": lambda: RESOURCES["/api/admin/attachments/"](),
}


def admin_urls() -> list[str]:
    """Every admin page: the index, each app's page, and each registered model's pages
    (on its first object, where it has one)."""
    urls = [reverse("admin:index"), reverse("admin:password_change"), reverse("admin:jsi18n")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse("admin:app_list", kwargs={"app_label": meta.app_label}))
        base = f"admin:{meta.app_label}_{meta.model_name}"
        urls += [reverse(f"{base}_changelist"), reverse(f"{base}_add")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls += [reverse(f"{base}_{view}", args=[first.pk]) for view in ("change", "history", "delete")]
    return sorted(set(urls))


# --- Who calls ---


def jwt_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def session_client(user: Any) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def expired_access_token(user: Any) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(from_time=token.current_time - timedelta(days=1))
    return str(token)


def forged_access_token(user: Any) -> str:
    return jwt.encode(AccessToken.for_user(user).payload, "not-our-signing-key-" * 4, algorithm="HS256")


def deactivated(user: Any) -> Any:
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def deactivated_session(user: Any) -> APIClient:
    """Signed in while active, then deactivated: the session no longer counts."""
    client = session_client(user)
    deactivated(user)
    return client


def signed_in(user: Any, *, then_deactivate: bool = False) -> Client:
    """A browser signed in to the dashboard or admin as `user`."""
    client = Client()
    client.force_login(user)
    if then_deactivate:
        deactivated(user)
    return client


# Each refused caller of the API, and the answer it gets.
API_REFUSED: dict[str, tuple[Callable[[], APIClient], int]] = {
    "anonymous": (APIClient, 401),
    "non-staff JWT": (lambda: jwt_client(str(RefreshToken.for_user(UserFactory()).access_token)), 403),
    "non-staff session": (lambda: session_client(UserFactory()), 403),
    "expired staff token": (lambda: jwt_client(expired_access_token(StaffFactory())), 401),
    "staff refresh token as access": (lambda: jwt_client(str(RefreshToken.for_user(StaffFactory()))), 401),
    "deactivated staff token": (lambda: jwt_client(str(AccessToken.for_user(deactivated(StaffFactory())))), 401),
    "deactivated staff session": (lambda: deactivated_session(StaffFactory()), 401),
    "token signed with another key": (lambda: jwt_client(forged_access_token(StaffFactory())), 401),
    "garbage token": (lambda: jwt_client("garbage.token.here"), 401),
}
API_ADMITTED: dict[str, Callable[[], APIClient]] = {
    "staff JWT": lambda: jwt_client(str(RefreshToken.for_user(StaffFactory()).access_token)),
    "staff session": lambda: session_client(StaffFactory()),
}


# --- Nothing changed ---


def database_snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, but sessions (signing a test client in writes one)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.label != "sessions.Session"
    }


def assert_unchanged(before: dict[str, list[dict[str, Any]]], who: str) -> None:
    after = database_snapshot()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"{who} changed {changed}"


def call(client: Client, method: str, url: str, data: Any = None) -> Any:
    send = getattr(client, method.lower())
    response = send(url, data or {}, format="json") if isinstance(client, APIClient) else send(url, data or {})
    if response.streaming:  # the CSV export: read it, as a browser would
        b"".join(response.streaming_content)
    return response


# Bodies that would change something if the caller were let through.
API_BODIES = {
    "/status": {"status": "closed", "resolutionNote": "planted"},
    "/assign": {"assignedTo": "Mallory"},
    "/comments": {"comment": "planted", "isInternal": False},
    "/bulk": {"ids": [], "updates": {"status": "closed"}},
    "/support-tickets": {"subject": "planted", "description": "planted", "customerEmail": "m@example.com"},
    "/agents": {"username": "planted", "displayName": "Planted"},
    "/teams": {"name": "Planted"},
    "/business-calendars": {"name": "Planted", "timezone": "UTC", "hours": {"mon": [["09:00", "17:00"]]}},
    "/sla-policies": {"name": "Planted", "firstResponseMinutes": 1, "resolutionMinutes": 2},
    "/routing-rules": {"name": "planted", "actions": {"priority": "low"}},
    "/canned-responses": {"title": "Planted", "shortcut": "planted", "body": "planted"},
    "{id}/custom-fields": {"customFields": {}},  # a ticket's values (before the definitions' collection)
    "/custom-fields": {"key": "planted", "label": "Planted", "type": "text"},
}


# The row a path's {id} names, for the collections that are not tickets: made for the call.
_made = itertools.count(1)
RESOURCES: dict[str, Callable[[], int | str]] = {
    "/api/admin/agents/": lambda: (
        agents.agent_create(username=f"planted-{next(_made)}", display_name=f"Planted {next(_made)}").pk
    ),
    "/api/admin/routing-rules/": lambda: (
        routing.routing_rule_create(name=f"Planted {next(_made)}", conditions={}, actions={"priority": "low"}).pk
    ),
    "/api/admin/teams/": lambda: agents.team_create(name=f"Planted {next(_made)}").pk,
    "/api/admin/business-calendars/": lambda: (
        sla_policies.calendar_create(
            name=f"Planted {next(_made)}", timezone="UTC", hours={"mon": [["09:00", "17:00"]]}
        ).pk
    ),
    "/api/admin/sla-policies/": lambda: (
        sla_policies.policy_create(name=f"Planted {next(_made)}", first_response_minutes=60, resolution_minutes=120).pk
    ),
    "/api/admin/attachments/": lambda: (
        Attachment.objects.get(
            ticket=make_ticket(files=[IncomingFile.from_bytes("planted.txt", "text/plain", b"planted")])
        ).pk
    ),
    "/api/admin/custom-fields/": lambda: (
        custom_fields.definition_create(key=f"planted_{next(_made)}", label="Planted", type="text").key
    ),
    "/api/admin/canned-responses/": lambda: (
        canned_responses.canned_response_create(
            owner=None, title="Planted", shortcut=f"planted-{next(_made)}", body="planted", shared=True
        ).pk
    ),
}
# Bodies that name a row of their own, made for the call (before any snapshot is taken).
API_BODY_ROWS: dict[str, Callable[[], dict[str, Any]]] = {
    "/apply-macro": lambda: {"cannedResponseId": RESOURCES["/api/admin/canned-responses/"]()},
}


def target(path: str, ticket: SupportTicket) -> str:
    """The path with its {id}: the ticket's, or a fresh row of the path's own collection."""
    for prefix, make in RESOURCES.items():
        if path.startswith(prefix):
            return concrete(path, make())
    return concrete(path, ticket.pk)


def api_body(path: str, ticket: SupportTicket) -> dict[str, Any]:
    for ending, make in API_BODY_ROWS.items():
        if path.endswith(ending):
            return make()
    for ending, body in API_BODIES.items():
        if path.endswith(ending):
            return {**body, "ids": [ticket.pk]} if ending == "/bulk" else body
    return {}


# --- The API ---


def test_every_api_route_is_in_the_schema_or_listed_as_open():
    documented = {resolve(concrete(path, 1)).url_name for _, path in schema_operations()}
    assert len(protected_operations()) >= 10  # the enumeration found the API
    undocumented = api_route_names() - documented - set(PUBLIC) - set(SIGNED)
    assert undocumented == set(), "an API route the matrix would not call"
    assert set(PUBLIC) | set(SIGNED) <= api_route_names(), "an open endpoint listed here no longer exists"


@pytest.mark.parametrize("who", list(API_REFUSED))
def test_api_refuses_everyone_but_staff_and_changes_nothing(who):
    make_client, expected = API_REFUSED[who]
    client = make_client()
    ticket = make_ticket()
    operations = protected_operations()
    urls = {path: target(path, ticket) for _, path in operations}
    bodies = {path: api_body(path, ticket) for _, path in operations}
    before = database_snapshot()
    for method, path in operations:
        url = urls[path]
        for variant in (url.rstrip("/"), url.rstrip("/") + "/"):  # both spellings answer
            response = call(client, method, variant, bodies[path])
            assert response.status_code == expected, (who, method, variant, response.status_code)
            if expected == 401:
                assert response.headers["WWW-Authenticate"].startswith("Bearer"), (method, variant)
    # Methods a path does not take: refused before the method is even looked at.
    for method, path in unlisted_operations(operations):
        response = call(client, method, urls[path], bodies[path])
        assert response.status_code == expected, (who, method, path, response.status_code)
    assert_unchanged(before, who)


def test_api_methods_the_schema_does_not_list_are_not_allowed_even_to_staff():
    client = API_ADMITTED["staff JWT"]()
    ticket = make_ticket()
    for method, path in unlisted_operations(protected_operations()):
        assert call(client, method, target(path, ticket)).status_code == 405, (method, path)


@pytest.mark.parametrize("who", list(API_ADMITTED))
def test_api_lets_staff_through_on_every_operation(who, settings):
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = "configured"
    client = API_ADMITTED[who]()
    for method, path in protected_operations():
        ticket = make_ticket()
        response = call(client, method, target(path, ticket), api_body(path, ticket))
        assert response.status_code < 300, (who, method, path, response.status_code, response.content[:300])


def test_open_endpoints_answer_anyone():
    client = APIClient()
    assert client.get("/api/schema/", {"format": "json"}).status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/webhooks/test").status_code == 200
    assert client.post("/api/auth/token/", {}, format="json").status_code == 400  # asks for credentials
    assert client.post("/api/auth/token/refresh/", {}, format="json").status_code == 400


@pytest.mark.parametrize("path", list(SIGNED.values()))
def test_signed_webhooks_refuse_even_staff_without_a_signature(path):
    clients = [APIClient(), API_ADMITTED["staff JWT"](), API_ADMITTED["staff session"]()]
    before = database_snapshot()
    for client in clients:
        assert client.post(path, {"type": "url_verification", "challenge": "x"}, format="json").status_code == 401
    assert_unchanged(before, path)


# --- The dashboard ---


def dashboard_methods(client: Client, url: str) -> list[str]:
    """The methods a page takes: those a staff agent is not answered 405."""
    answer = call(client, "GET", url)
    if answer.status_code == 405:  # an action: its Allow header says, without posting to it
        methods = [method for method in ("GET", "POST") if method in answer["Allow"]]
    else:
        methods = ["GET"] + (["POST"] if call(client, "POST", url).status_code != 405 else [])
    assert methods, url
    return methods


def test_dashboard_refuses_everyone_but_staff_and_changes_nothing():
    ticket = make_ticket()
    staff = signed_in(StaffFactory())
    pages = [(method, url) for url in dashboard_urls(ticket) for method in dashboard_methods(staff, url)]
    assert len(pages) >= 8

    non_staff = signed_in(UserFactory())
    deactivated_staff = signed_in(StaffFactory(), then_deactivate=True)
    # The dashboard signs in with its session; a bearer token is not a login there.
    staff_token = Client(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(StaffFactory()).access_token}")
    refused = {"anonymous": Client(), "deactivated staff": deactivated_staff, "staff JWT only": staff_token}

    before = database_snapshot()
    for method, url in pages:
        data = {"status": "closed", "comment": "planted", "ids": [ticket.pk], "subject": "planted"}
        assert call(non_staff, method, url, data).status_code == 403, ("non-staff", method, url)
        for who, client in refused.items():
            response = call(client, method, url, data)
            assert response.status_code == 302, (who, method, url)
            assert response.url.startswith("/login/?next="), (who, method, url)
    assert_unchanged(before, "a caller who is not staff")


def test_dashboard_lets_staff_through_on_every_page():
    ticket = make_ticket()
    staff = signed_in(StaffFactory())
    for url in dashboard_urls(ticket):
        for method in dashboard_methods(staff, url):
            response = call(staff, method, url)
            assert response.status_code in (200, 302, 400), (method, url, response.status_code)
            if response.status_code == 302:
                assert not response.url.startswith("/login/"), (method, url)


def test_every_dashboard_route_is_in_the_matrix():
    routes = {
        pattern.name
        for route, namespace, pattern in _routes(get_resolver().url_patterns)
        if not re.match(r"\^?(api|admin)/", route)
    }
    dashboard = {
        pattern.name for _, namespace, pattern in _routes(get_resolver().url_patterns) if namespace == "dashboard"
    }
    assert routes - DASHBOARD_OPEN - set(OPERATIONS) <= dashboard


@pytest.mark.parametrize("path", list(OPERATIONS.values()))
def test_operations_endpoints_refuse_everyone_but_staff(path):
    for who, (make_client, expected) in API_REFUSED.items():
        response = make_client().get(path)
        assert response.status_code == expected, (who, path, response.status_code)
    for who, make_client in API_ADMITTED.items():
        assert make_client().get(path).status_code == 200, (who, path)


# --- The Django admin ---


def test_admin_refuses_everyone_but_staff_and_changes_nothing():
    ticket = make_ticket()
    urls = [*admin_urls(), reverse("admin:autocomplete")]  # the last: the admin's JSON for its widgets
    assert any(url.endswith(f"/supportticket/{ticket.pk}/change/") for url in urls)

    non_staff = signed_in(UserFactory())
    deactivated_admin = signed_in(StaffFactory(is_superuser=True), then_deactivate=True)
    refused = {"anonymous": Client(), "non-staff": non_staff, "deactivated admin": deactivated_admin}

    before = database_snapshot()
    for url in urls:
        for who, client in refused.items():
            for method, data in (("GET", None), ("POST", {"status": "closed", "post": "yes"})):
                response = call(client, method, url, data)
                assert response.status_code == 302, (who, method, url, response.status_code)
                assert response.url == f"/admin/login/?next={quote(url)}", (who, method, url)
    assert_unchanged(before, "a caller who is not staff")


@pytest.mark.slow  # every admin page rendered: seconds
def test_admin_lets_an_admin_through_on_every_page():
    make_ticket()
    client = signed_in(StaffFactory(is_superuser=True))
    for url in admin_urls():
        response = call(client, "GET", url)
        assert response.status_code in (200, 403), (url, response.status_code)
        if response.status_code == 403:  # refused to everyone: a read-only or undeletable model
            assert url.endswith(("/add/", "/delete/")), url
