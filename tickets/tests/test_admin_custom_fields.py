"""The Django admin over custom field definitions saves through tickets.custom_fields."""

import pytest
from django.test import Client
from django.urls import reverse

from tickets import custom_fields
from tickets.models import CustomField

from .factories import StaffFactory

ADD = {"key": "plan", "label": "Plan", "type": "choice", "choices": "free\npro\n", "active": "on"}


@pytest.fixture
def admin_client(db: None, client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_list_and_the_forms_render(admin_client):
    custom_fields.definition_create(key="plan", label="Plan", type="text")
    field = CustomField.objects.get()
    assert admin_client.get(reverse("admin:tickets_customfield_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:tickets_customfield_add")).status_code == 200
    page = admin_client.get(reverse("admin:tickets_customfield_change", args=[field.pk]))
    assert page.status_code == 200
    assert 'name="key"' not in page.content.decode()  # fixed once made


def test_a_field_is_added_and_changed_through_the_service(admin_client):
    assert admin_client.post(reverse("admin:tickets_customfield_add"), ADD).status_code == 302
    field = CustomField.objects.get()
    assert (field.key, field.type, field.choices, field.active) == ("plan", "choice", ["free", "pro"], True)

    change = {**ADD, "label": "Plan name", "choices": "free\npro\nenterprise"}
    change.pop("active")
    assert admin_client.post(reverse("admin:tickets_customfield_change", args=[field.pk]), change).status_code == 302
    field.refresh_from_db()
    assert (field.label, field.choices, field.active) == ("Plan name", ["free", "pro", "enterprise"], False)


def test_the_services_refusal_is_shown_next_to_the_field(admin_client):
    response = admin_client.post(reverse("admin:tickets_customfield_add"), {**ADD, "choices": "a\na"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["choices"] == ["Each choice once."]
    response = admin_client.post(reverse("admin:tickets_customfield_add"), {**ADD, "key": "Bad key"})
    assert "key" in response.context["adminform"].form.errors
    assert not CustomField.objects.exists()
