"""An index of the pages that hide what is under them: not live, with children (visibility.py
excludes their subtrees from everything a reader is shown, in every listing statement)."""

from django.db import migrations

INDEX = "byline_page_unpublished_parents"


class Migration(migrations.Migration):
    dependencies = [
        ("blogs", "0009_tables_audio_video_files"),
        ("wagtailcore", "0097_baselogentry_uuid_action_timestamp_indexes"),
    ]

    operations = [
        # On Wagtail's table, as raw SQL (a model's Meta cannot be given it): partial, so it
        # holds only the few unpublished pages with children, and both SQLite and PostgreSQL
        # use it for the subquery's exact WHERE clause.
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page (path) "
            "WHERE NOT live AND numchild > 0",
            f"DROP INDEX IF EXISTS {INDEX}",
        ),
    ]
