"""Sign-ups' addresses out of django-tasks' result table.

Before 0002, mail_confirmation was enqueued with the address and the list as its arguments,
and the database task backend keeps those in its result table for good: the addresses of
people who never confirmed. Rows of finished tasks are deleted; a task still waiting has its
address moved into a ConfirmationRequest row and is left with that row's id, which is what
the task takes now.
"""

from django.db import migrations

TASK = "byline.newsletters.tasks.mail_confirmation"


def _old_arguments(args_kwargs: dict) -> tuple[str, str]:
    args = list(args_kwargs.get("args") or [])
    kwargs = args_kwargs.get("kwargs") or {}
    email = args[0] if args else kwargs.get("email", "")
    scope = args[1] if len(args) > 1 else kwargs.get("scope", "")
    return str(email or ""), str(scope or "")


def forwards(apps, schema_editor):
    DBTaskResult = apps.get_model("django_tasks_database", "DBTaskResult")
    ConfirmationRequest = apps.get_model("newsletters", "ConfirmationRequest")
    for row in DBTaskResult.objects.filter(task_path=TASK).iterator():
        args_kwargs = row.args_kwargs or {}
        if "request_id" in (args_kwargs.get("kwargs") or {}):
            continue
        email, scope = _old_arguments(args_kwargs)
        if row.status == "READY" and email and scope:
            request = ConfirmationRequest.objects.create(email=email[:254], scope=scope[:40])
            row.args_kwargs = {"args": [], "kwargs": {"request_id": request.pk}}
            row.save(update_fields=["args_kwargs"])
        elif row.status != "RUNNING":  # a worker sending it now writes its own result
            row.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsletters", "0003_imported_lists_wait_for_confirmation"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
