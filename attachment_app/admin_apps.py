"""Django's admin app, with the site of ``attachment_app.admin_site`` as its default."""

from django.contrib.admin.apps import AdminConfig


class ReferenceListsAdminConfig(AdminConfig):
    default_site = "attachment_app.admin_site.ReferenceListsAdminSite"
