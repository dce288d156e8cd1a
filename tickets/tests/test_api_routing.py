"""Routing rules over the admin API (/api/admin/routing-rules) and in the Django admin."""

import pytest
from django.test import Client
from django.urls import reverse

from tickets import routing
from tickets.models import RoutingRule, Team, TeamAssignment

from .factories import StaffFactory

pytestmark = pytest.mark.django_db

URL = "/api/admin/routing-rules"


@pytest.fixture
def billing() -> Team:
    return Team.objects.create(name="Billing", assignment=TeamAssignment.MANUAL)


def test_crud(staff_client, billing):
    created = staff_client.post(
        URL,
        {
            "name": "Billing",
            "conditions": {"category": "billing", "keywords": ["refund"]},
            "actions": {"teamId": billing.pk, "addTags": ["Money"]},
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    rule_id = body.pop("id")
    assert body == {
        "name": "Billing",
        "position": 1,
        "active": True,
        "conditions": {"category": ["billing"], "keywords": ["refund"]},
        "actions": {"teamId": billing.pk, "addTags": ["money"]},
    }
    staff_client.post(URL, {"name": "First", "position": 0, "actions": {"priority": "high"}}, format="json")

    listed = staff_client.get(URL)
    assert listed.status_code == 200
    assert [(r["name"], r["conditions"]) for r in listed.json()] == [("First", {}), ("Billing", body["conditions"])]

    changed = staff_client.patch(
        f"{URL}/{rule_id}", {"active": False, "conditions": {"priority": ["urgent", "high"]}}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json() == {**body, "id": rule_id, "active": False, "conditions": {"priority": ["urgent", "high"]}}

    assert staff_client.delete(f"{URL}/{rule_id}").status_code == 204
    assert list(RoutingRule.objects.values_list("name", flat=True)) == ["First"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "R", "conditions": {"priority": "huge"}, "actions": {"priority": "low"}},
            {"conditions": ['conditions.priority: "huge" is not a priority (one of: low, medium, high, urgent).']},
        ),
        (
            {"name": "R", "conditions": {"team": 1}, "actions": {"priority": "low"}},
            {
                "conditions": [
                    'conditions: unknown key "team" (known: category, priority, source, keywords, customerEmailDomain).'
                ]
            },
        ),
        ({"name": "R", "actions": {"teamId": 404}}, {"actions": ["actions.teamId: no team with id 404."]}),
        ({"name": " ", "actions": {"priority": "low"}}, {"name": ["name: may not be blank."]}),
        ({"name": "R", "actions": {"priority": "low"}, "position": 2**31}, None),
        ({"name": "R"}, None),  # actions are required
    ],
)
def test_create_refuses_invalid_rules_with_400_naming_the_problem(staff_client, body, errors):
    response = staff_client.post(URL, body, format="json")

    assert response.status_code == 400
    if errors is not None:
        assert response.json() == errors
    else:
        assert set(response.json()) == ({"position"} if "position" in body else {"actions"})
    assert not RoutingRule.objects.exists()


def test_a_duplicate_name_is_400(staff_client):
    routing.routing_rule_create(name="Urgent", conditions={}, actions={"priority": "urgent"})

    response = staff_client.post(URL, {"name": "URGENT", "actions": {"priority": "high"}}, format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ['name: a rule named "URGENT" exists already.']}


def test_patch_validates_and_unknown_ids_are_404(staff_client):
    rule = routing.routing_rule_create(name="Urgent", conditions={}, actions={"priority": "urgent"})

    refused = staff_client.patch(f"{URL}/{rule.pk}", {"actions": {"assigneeId": 7}}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"actions": ["actions.assigneeId: no agent with id 7."]}
    assert RoutingRule.objects.get().actions == {"priority": "urgent"}

    for path in (f"{URL}/{rule.pk + 1}", f"{URL}/abc", f"{URL}/{2**70}"):
        assert staff_client.patch(path, {"active": False}, format="json").status_code == 404
        assert staff_client.delete(path).status_code == 404


def test_staff_only(anonymous_client, non_staff_client):
    assert anonymous_client.get(URL).status_code == 401
    assert non_staff_client.get(URL).status_code == 403
    assert non_staff_client.post(URL, {"name": "R", "actions": {"priority": "low"}}, format="json").status_code == 403
    assert not RoutingRule.objects.exists()


def test_the_schema_documents_the_rules_endpoints(anonymous_client):
    paths = anonymous_client.get("/api/schema/?format=json").json()["paths"]

    assert set(paths[URL]) == {"get", "post"}
    assert set(paths[f"{URL}/{{id}}"]) == {"patch", "delete"}
    assert {"400", "404"} <= set(paths[f"{URL}/{{id}}"]["patch"]["responses"])


# --- The Django admin ---


@pytest.fixture
def admin_client(client: Client) -> Client:
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_the_admin_adds_changes_and_deletes_rules_through_the_domain(admin_client, billing):
    add = reverse("admin:tickets_routingrule_add")
    refused = admin_client.post(
        add, {"name": "VIP", "position": "", "active": "on", "conditions": '{"priority": "huge"}', "actions": "{}"}
    )
    assert refused.status_code == 200
    assert "conditions.priority: &quot;huge&quot; is not a priority" in refused.content.decode()
    assert "actions: a rule must do something" in refused.content.decode()

    added = admin_client.post(
        add,
        {
            "name": "VIP",
            "position": "",
            "active": "on",
            "conditions": '{"customerEmailDomain": "VIP.example"}',
            "actions": f'{{"teamId": {billing.pk}}}',
        },
    )
    assert added.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.position, rule.conditions) == (1, {"customerEmailDomain": ["vip.example"]})

    change = reverse("admin:tickets_routingrule_change", args=[rule.pk])
    changed = admin_client.post(
        change, {"name": "VIP", "position": "5", "conditions": "", "actions": '{"priority": "high"}'}
    )
    assert changed.status_code == 302
    rule.refresh_from_db()
    assert (rule.position, rule.active, rule.conditions, rule.actions) == (5, False, {}, {"priority": "high"})

    deleted = admin_client.post(reverse("admin:tickets_routingrule_delete", args=[rule.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    assert not RoutingRule.objects.exists()


def test_a_ticket_created_through_the_api_answers_as_the_rules_left_it(staff_client):
    routing.routing_rule_create(name="Refunds", conditions={"keywords": "refund"}, actions={"priority": "urgent"})

    created = staff_client.post(
        "/api/admin/support-tickets",
        {"subject": "Refund", "description": "Please.", "customerEmail": "ann@example.com"},
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["priority"] == "urgent"
    activity = staff_client.get(f"/api/admin/support-tickets/{created.json()['id']}/activity").json()
    assert [(event["actor"], event["source"]) for event in activity] == [("Alex Agent", "api"), ("Refunds", "system")]
