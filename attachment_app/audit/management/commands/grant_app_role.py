"""`manage.py grant_app_role ROLE [--create]`, run as the owner after every `migrate`."""

import os

from django.core.management.base import BaseCommand, CommandError

from attachment_app.audit.roles import AppRoleRefused, create_app_role, grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the app role (the web and worker processes' database role) what it needs: read "
        "and write the ordinary tables, only insert into and read the audit tables."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the app role's name")
        parser.add_argument(
            "--create",
            action="store_true",
            help="create the role if it does not exist (needs CREATEROLE); its password is "
            "read from the APP_DATABASE_PASSWORD variable, if set",
        )

    def handle(self, *args, role, create, **options):
        try:
            if create and create_app_role(role, os.environ.get("APP_DATABASE_PASSWORD")):
                self.stdout.write(f"Created the database role {role}.")
            tables = grant_app_role(role)
        except AppRoleRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(
            f"Granted {role}: read and write, except {len(tables)} audit tables it may only "
            "insert into and read."
        )
