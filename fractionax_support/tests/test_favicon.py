"""Browsers ask for /favicon.ico on every site: it is there, and pages link the icon too."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_favicon_ico_leads_to_the_static_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    icon = finders.find("favicon.ico")
    assert icon
    with open(icon, "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header


def test_pages_link_the_icon(client, staff_agent):
    client.force_login(staff_agent)
    html = client.get("/dashboard/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/favicon.ico" sizes="16x16 32x32 48x48">' in html
    assert finders.find("favicon.svg")
    client.logout()
    assert 'href="/static/favicon.ico"' in client.get("/login/").content.decode()  # signed out too
