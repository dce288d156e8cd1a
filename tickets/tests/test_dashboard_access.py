"""Who may use the agent dashboard, logging in and out, and the headers its pages carry."""

import re
from urllib.parse import quote

import pytest

from tickets.models import SupportTicket, TicketComment, TicketEvent

from .factories import make_ticket

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password


def page_urls(ticket: SupportTicket) -> list[str]:
    return [
        "/dashboard/",
        "/dashboard/?status=open&priority=high",
        "/dashboard/statistics/",
        "/dashboard/settings/agents/",
        "/dashboard/settings/agents/new/",
        "/dashboard/settings/teams/new/",
        "/dashboard/tickets/new/",
        f"/dashboard/tickets/{ticket.pk}/",
        f"/dashboard/tickets/{ticket.ticket_number}/",
        f"/dashboard/tickets/{ticket.pk}/live/",
        f"/dashboard/tickets/{ticket.pk}/row/",
    ]


def posts(ticket: SupportTicket) -> list[tuple[str, dict[str, object]]]:
    return [
        (
            f"/dashboard/tickets/{ticket.pk}/update/",
            {"status": "closed", "priority": "urgent", "category": "billing", "assignee": "", "tags": "x"},
        ),
        (f"/dashboard/tickets/{ticket.pk}/comment/", {"comment": "Hello", "seen_comment_id": "0"}),
        ("/dashboard/bulk/", {"ids": [ticket.pk], "status": "closed", "next": "/dashboard/"}),
        (
            "/dashboard/tickets/new/",
            {
                "subject": "Planted",
                "description": "Planted",
                "customer_email": "x@example.com",
                "priority": "low",
                "category": "general",
                "source": "phone",
            },
        ),
    ]


def assert_nothing_changed(ticket: SupportTicket) -> None:
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assigned_to, ticket.tags) == ("open", "medium", "", [])
    assert SupportTicket.objects.count() == 1
    assert not TicketComment.objects.exists()
    assert list(TicketEvent.objects.values_list("action", flat=True)) == ["created"]


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


# --- Access ---


def test_anonymous_visitors_are_sent_to_log_in_and_back(client):
    ticket = make_ticket()
    for url in page_urls(ticket):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"/login/?next={quote(url, safe='/')}"


def test_anonymous_posts_are_sent_to_log_in_and_change_nothing(client):
    ticket = make_ticket()
    for url, data in posts(ticket):
        response = client.post(url, data)
        assert response.status_code == 302, url
        assert response.url.startswith("/login/?next=")
    assert_nothing_changed(ticket)


def test_signed_in_non_staff_get_403_on_every_page(client, non_staff_user):
    ticket = make_ticket()
    client.force_login(non_staff_user)
    for url in [*page_urls(ticket), "/dashboard/tickets/999999/"]:
        assert client.get(url).status_code == 403, url


def test_signed_in_non_staff_get_403_on_every_post_and_change_nothing(client, non_staff_user):
    ticket = make_ticket()
    client.force_login(non_staff_user)
    for url, data in posts(ticket):
        assert client.post(url, data).status_code == 403, url
    assert_nothing_changed(ticket)


def test_staff_see_every_page(client, staff_agent):
    ticket = make_ticket()
    client.force_login(staff_agent)
    for url in page_urls(ticket):
        assert client.get(url).status_code == 200, url


def test_pages_that_only_change_refuse_get(client, staff_agent):
    ticket = make_ticket()
    client.force_login(staff_agent)
    for url, _ in posts(ticket)[:3]:
        assert client.get(url).status_code == 405, url


def test_root_redirects_to_the_dashboard(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/dashboard/"


# --- Logging in and out ---


def test_login_page_logs_staff_in_and_redirects_to_the_dashboard(client, staff_agent):
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": staff_agent.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == "/dashboard/"
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert "Alex Agent" in page.content.decode()


def test_login_follows_a_local_next_url(client, staff_agent):
    ticket = make_ticket()
    next_url = f"/dashboard/tickets/{ticket.pk}/"
    response = client.post(f"/login/?next={next_url}", {"username": staff_agent.username, "password": PASSWORD})
    assert response.url == next_url


def test_login_ignores_an_external_next_url(client, staff_agent):
    response = client.post(
        "/login/", {"username": staff_agent.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.url == "/dashboard/"


def test_login_with_a_wrong_password_shows_an_error_and_does_not_log_in(client, staff_agent):
    response = client.post("/login/", {"username": staff_agent.username, "password": "wrong"})
    assert response.status_code == 200
    assert 'class="form-errors"' in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_logout_is_a_post(client, staff_agent):
    client.force_login(staff_agent)
    assert client.get("/logout/").status_code == 405
    assert client.get("/dashboard/").status_code == 200  # still signed in

    response = client.post("/logout/")
    assert response.status_code == 302
    assert response.url == "/login/"
    assert client.get("/dashboard/").status_code == 302


def test_the_logout_button_is_a_form_posting_to_logout(client, staff_agent):
    client.force_login(staff_agent)
    html = client.get("/dashboard/").content.decode()
    assert re.search(
        r'<form method="post" action="/logout/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', html
    )


# --- Security headers ---


def test_dashboard_pages_carry_a_strict_content_security_policy(client, staff_agent):
    ticket = make_ticket()
    client.force_login(staff_agent)
    for url in [*page_urls(ticket), "/login/"]:
        response = client.get(url)
        directives = csp_directives(response)
        assert directives["script-src"] == ["'self'"], url
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"], url
        assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"], url
        framing_denied = response.headers.get("X-Frame-Options") == "DENY" or directives.get("frame-ancestors") == [
            "'none'"
        ]
        assert framing_denied, url


def test_pages_have_no_inline_script_the_policy_would_block(client, staff_agent):
    ticket = make_ticket()
    client.force_login(staff_agent)
    for url in [*page_urls(ticket), "/login/"]:
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert " src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"<[a-z]+\s[^>]*\bon[a-z]+=", html), url  # no inline event handlers
