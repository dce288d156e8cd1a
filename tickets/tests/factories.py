import factory
from django.contrib.auth import get_user_model

from tickets import services
from tickets.actors import Actor
from tickets.models import Agent, ChangeSource, SupportTicket, Team, TeamMembership

TEST_ACTOR = Actor(name="Test Agent", source=ChangeSource.API)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    first_name = "Jamie"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.django.Password("correct horse battery")


class StaffFactory(UserFactory):
    is_staff = True


def make_ticket(**overrides: object) -> SupportTicket:
    """A ticket created the way every ticket is: through the service."""
    fields: dict[str, object] = {
        "subject": "Cannot log in",
        "description": "The login page says my password is wrong.",
        "customer_email": "customer@example.com",
        "customer_name": "Casey Customer",
        "actor": TEST_ACTOR,
    }
    fields.update(overrides)
    return services.ticket_create(**fields)  # type: ignore[arg-type]


def make_agent(display_name: str, **fields: object) -> Agent:
    """An agent: a staff user with a profile (tickets/models/agents.py)."""
    user = StaffFactory(username=display_name.lower().replace(" ", "."))
    return Agent.objects.create(user=user, display_name=display_name, **fields)


def make_team(name: str, assignment: str, members: list[Agent]) -> Team:
    team = Team.objects.create(name=name, assignment=assignment)
    for agent in members:
        TeamMembership.objects.create(team=team, agent=agent)
    return team
