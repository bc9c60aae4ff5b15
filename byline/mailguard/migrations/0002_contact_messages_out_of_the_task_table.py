"""Contact messages out of django-tasks' result table.

Before 0001, send_contact_message was enqueued with the reader's name, address, subject and
message as its arguments, and the database task backend keeps those in its result table for
good. Rows of finished tasks are deleted; a task still waiting has its message moved into a
ContactMessage row and is left with that row's id, which is what the task takes now.
"""

from django.db import migrations

TASK = "byline.mailguard.tasks.send_contact_message"
FIELDS = ("name", "email", "subject", "message")


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    ContactMessage = apps.get_model("mailguard", "ContactMessage")
    Author = apps.get_model("blogs", "Author")
    for row in DBTaskResult.objects.filter(task_path=TASK).iterator():
        kwargs = (row.args_kwargs or {}).get("kwargs") or {}
        if "message_id" in kwargs:
            continue
        waiting = row.status == "READY"
        if waiting and Author.objects.filter(pk=kwargs.get("author_id")).exists():
            message = ContactMessage.objects.create(
                author_id=kwargs["author_id"], **{f: str(kwargs.get(f, "")) for f in FIELDS}
            )
            row.args_kwargs = {"args": [], "kwargs": {"message_id": message.pk}}
            row.save(update_fields=["args_kwargs"])
        elif row.status != "RUNNING":  # a worker sending it now writes its own result
            row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("mailguard", "0001_initial"),
        ("blogs", "0002_blog_comment_settings"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
