"""A Help Scout conversation's assignee is also kept by user id: agents are matched to Help
Scout users by id (Agent.helpscout_user_id), and our own assignment is recorded by id
before it is sent. Existing rows keep their assignee's name; the id comes with the next
delivery."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0008_slack_threads"),
    ]

    operations = [
        migrations.AddField(
            model_name="helpscoutconversation",
            name="assignee_user_id",
            field=models.CharField(blank=True, max_length=32),
        ),
    ]
