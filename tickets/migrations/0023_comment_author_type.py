"""Who wrote each comment: `author_type` (customer, agent, system, integration).

The column is added with "agent" for the comments already there (PostgreSQL adds a column
with a constant default without rewriting the table), then the rows known to be someone
else's are set from what each way in stored:

- api, dashboard, admin: staff signed in to the app, so "agent" (the default).
- slack: people replying in the ticket's thread in the internal support channel: colleagues,
  never the customer, so "agent" too.
- helpscout: a public thread whose author is the ticket's customer (by name or e-mail, in
  any case) is "customer"; one with no author, stored under the name "Help Scout" (an
  automatic thread), is "integration"; the others (replies and notes by Help Scout users)
  stay "agent".
- system: made by the app itself (the demo seed wrote the customer's messages this way):
  the customer's by name or e-mail as above, "System"'s as "system", the rest "agent".

Without a default afterwards: the services name it for every new comment.
"""

from django.db import migrations, models
from django.db.models import Q
from django.db.models.functions import Lower

HELPSCOUT_NAME = "Help Scout"  # integrations.helpscout.inbound.HELPSCOUT's name
SYSTEM_NAME = "System"  # tickets.actors.SYSTEM_ACTOR's name


def set_author_types(apps, schema_editor):
    comment_model = apps.get_model("tickets", "TicketComment")
    guessed = comment_model.objects.filter(source__in=["helpscout", "system"])
    by_customer = guessed.filter(is_internal=False).annotate(
        written_by=Lower("author"), name=Lower("ticket__customer_name"), email=Lower("ticket__customer_email")
    )
    by_customer.filter(Q(written_by=models.F("name")) | Q(written_by=models.F("email"))).exclude(
        author__in=["", HELPSCOUT_NAME, SYSTEM_NAME]
    ).update(author_type="customer")
    guessed.filter(source="helpscout", author=HELPSCOUT_NAME).update(author_type="integration")
    guessed.filter(source="system", author=SYSTEM_NAME).update(author_type="system")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0022_canned_responses"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticketcomment",
            name="author_type",
            field=models.CharField(
                choices=[
                    ("customer", "Customer"),
                    ("agent", "Agent"),
                    ("system", "System"),
                    ("integration", "Integration"),
                ],
                default="agent",
                max_length=12,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(set_author_types, migrations.RunPython.noop),
    ]
