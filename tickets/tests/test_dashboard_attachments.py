"""Attachments on the ticket page: the reply and new-ticket forms take files, each message
lists its files, images show inline, and the downloads are for signed-in staff only."""

import re

import pytest

from tickets.models import Attachment, SupportTicket, TicketComment

from .attachment_helpers import PNG, attachment_dir, incoming, stored_files, upload
from .factories import make_ticket

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, staff_agent):
    client.force_login(staff_agent)
    return client


def reply(client, ticket, files, **fields):
    data = {"comment": "Here is the fix", "seen_comment_id": "0", "attachments": files, **fields}
    return client.post(f"/dashboard/tickets/{ticket.pk}/comment/", data)


def test_a_reply_with_files_lists_them_and_shows_images(agent, attachment_dir):
    ticket = make_ticket()

    response = reply(agent, ticket, [upload("fix.png", PNG, "image/png"), upload("steps.txt", b"1. 2. 3.")])

    assert response.status_code == 302
    image, text = Attachment.objects.order_by("id")
    page = agent.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert f'<img src="/dashboard/attachments/{image.pk}/" alt="fix.png"' in page
    assert f'href="/dashboard/attachments/{text.pk}/" download="steps.txt">steps.txt</a>' in page
    assert f'<img src="/dashboard/attachments/{text.pk}/"' not in page
    assert 'enctype="multipart/form-data"' in page

    download = agent.get(f"/dashboard/attachments/{image.pk}/")
    assert b"".join(download.streaming_content) == PNG
    assert download["Content-Disposition"].startswith("inline;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("default-src 'none'")


def test_a_new_tickets_files_show_under_its_description(agent, attachment_dir):
    data = {
        "subject": "Broken chart",
        "description": "See the screenshot",
        "customer_email": "c@example.com",
        "priority": "medium",
        "category": "general",
        "source": "phone",
        "attachments": [upload("chart.png", PNG, "image/png")],
    }
    response = agent.post("/dashboard/tickets/new/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    ticket = SupportTicket.objects.get()
    (attachment,) = ticket.attachments.all()
    assert attachment.comment_id is None
    page = agent.get(f"/dashboard/tickets/{ticket.pk}/").content.decode()
    assert f'<img src="/dashboard/attachments/{attachment.pk}/" alt="chart.png"' in page


def test_a_refused_file_is_shown_next_to_the_field_and_nothing_is_kept(agent, attachment_dir):
    ticket = make_ticket()

    response = reply(agent, ticket, [upload("ok.txt"), upload("tool.exe", b"MZ", "application/octet-stream")])

    assert response.status_code == 400
    error = re.search(r'<p class="error" id="id_attachments-error" role="alert">(.*?)</p>', response.content.decode())
    assert error and "&quot;tool.exe&quot; is refused" in error.group(1)
    assert not TicketComment.objects.exists()
    assert stored_files(attachment_dir) == []


def test_dashboard_downloads_are_for_signed_in_staff(client, non_staff_user, attachment_dir):
    ticket = make_ticket(files=[incoming("secret.txt", b"secret")])
    url = f"/dashboard/attachments/{ticket.attachments.get().pk}/"

    anonymous = client.get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/?next=/dashboard/attachments/")
    client.force_login(non_staff_user)
    assert client.get(url).status_code == 403
