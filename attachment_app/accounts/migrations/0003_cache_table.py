"""The database cache's table (see CACHES in settings), made here so that every database the
app migrates has it: the dev server, the tests' and production's."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


def drop_cache_table(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS django_cache")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_account_history_invitations_role_requests")]

    operations = [migrations.RunPython(create_cache_table, drop_cache_table)]
