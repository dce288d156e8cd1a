"""Slack users and agents: names by e-mail, mentions by name, both cached."""

import pytest

from integrations.slack import users
from integrations.slack.client import web_client
from tickets.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_a_slack_user_is_the_agent_with_their_email(slack, agent):
    slack.add_user("U0ALEX", email="Alex@FractionaX.example", real_name="Alex in Slack")
    assert users.agent_name("U0ALEX", fallback="alex") == "Alex Agent"


def test_inactive_agents_are_not_matched(slack, agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    slack.add_user("U0ALEX", email=agent.email, real_name="Alex in Slack")
    assert users.agent_name("U0ALEX", fallback="alex") == "Alex in Slack"


def test_a_failed_lookup_gives_the_fallback_and_is_asked_again_next_time(slack):
    slack.fail("users.info", status=500)
    assert users.agent_name("U0ALEX", fallback="alex") == "alex"
    slack.add_user("U0ALEX", real_name="Alex in Slack")
    assert users.agent_name("U0ALEX", fallback="alex") == "Alex in Slack"


def test_malformed_ids_are_not_looked_up(slack):
    assert users.agent_name("../etc", fallback="someone") == "someone"
    assert slack.calls == []


def test_an_agent_seen_in_slack_is_mentioned_without_a_lookup(slack, agent):
    slack.add_user("U0ALEX", email=agent.email)
    users.agent_name("U0ALEX", fallback="alex")
    slack.calls.clear()
    assert users.slack_user_id("Alex Agent", web_client()) == "U0ALEX"
    assert slack.calls == []


def test_mentions_are_looked_up_by_the_agents_email_once(slack, agent):
    slack.add_user("U0ALEX", email=agent.email)
    assert users.slack_user_id("alex agent", web_client()) == "U0ALEX"
    assert users.slack_user_id("Alex Agent", web_client()) == "U0ALEX"
    assert slack.calls_to("users.lookupByEmail") == [{"email": agent.email}]


def test_no_mention_for_unknown_ambiguous_or_unfound_names(slack, agent):
    StaffFactory(first_name="Sam", last_name="Same", email="sam1@example.com")
    StaffFactory(first_name="Sam", last_name="Same", email="sam2@example.com")
    assert users.slack_user_id("Sam Same", web_client()) is None
    assert users.slack_user_id("Nobody Here", web_client()) is None
    assert users.slack_user_id("", web_client()) is None
    assert users.slack_user_id("Alex Agent", web_client()) is None  # users_not_found
    assert slack.calls_to("users.lookupByEmail") == [{"email": agent.email}]


def test_a_failed_mention_lookup_is_not_cached(slack, agent):
    slack.fail("users.lookupByEmail", status=429, error="ratelimited")
    assert users.slack_user_id("Alex Agent", web_client()) is None
    slack.add_user("U0ALEX", email=agent.email)
    assert users.slack_user_id("Alex Agent", web_client()) == "U0ALEX"
