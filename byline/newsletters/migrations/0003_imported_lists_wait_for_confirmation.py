"""Lists of subscribers who are not confirmed are off until each is confirmed.

Before 0002, a list was on for anyone whose subscriber record was confirmed, so a list an
import had recorded for an address it could not call confirmed came on as soon as that
address confirmed any other list. Each list now has its own confirmation; those of a
subscriber still waiting to confirm (imported unconfirmed) start off. Those of a subscriber who
left or was suppressed stay as they are: they get nothing while so, and a reader suppressed in
error (say, by a relay refusing every address) is reinstated with their lists.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Subscription = apps.get_model("newsletters", "Subscription")
    Subscription.objects.filter(subscriber__status="pending").update(confirmed=False)


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0002_issue_stop_subscription_confirmed_confirmationrequest"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
