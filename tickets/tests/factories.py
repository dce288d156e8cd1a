import factory
from django.contrib.auth import get_user_model

from tickets import services
from tickets.actors import Actor
from tickets.models import ChangeSource, SupportTicket

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
