"""Django's admin, kept only for the directory's reference lists.

It is open to people with the admin role who signed in through the service's own sign-in (the
password, then the second factor); it has no login, password or user pages of its own, and the
staff and superuser flags and Django's permissions mean nothing here. People, roles and teams
are administered on the service's own pages (``accounts.views``), never in this admin.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from attachment_app import permissions


class ReferenceListsAdminSite(admin.AdminSite):
    site_header = "Starting Relationships: reference lists"
    site_title = "Reference lists"
    index_title = "Reference lists"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Only reference lists: the admin classes other apps register for themselves (groups,
        allauth's email addresses and authenticators) are left out."""
        if admin_class is None or not issubclass(admin_class, ReferenceListAdmin):
            return
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        # No "view on site" redirects: nothing here has a page on the site.
        return [url for url in super().get_urls() if getattr(url, "name", None) != "view_on_site"]

    def has_permission(self, request):
        return permissions.may_manage_reference_lists(request.user)

    def login(self, request, extra_context=None):
        if request.user.is_authenticated:
            raise Http404("No such page.")
        return redirect_to_login(request.get_full_path(), reverse("account_login"))

    def logout(self, request, extra_context=None):
        return redirect("home")

    def password_change(self, request, extra_context=None):
        return redirect("account_change_password")

    def password_change_done(self, request, extra_context=None):
        return redirect("account_change_password")


class ReferenceListAdmin(admin.ModelAdmin):
    """A reference list admins keep: they may view, add and change its rows, never delete."""

    def has_module_permission(self, request):
        return permissions.may_manage_reference_lists(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.may_manage_reference_lists(request.user)

    def has_add_permission(self, request):
        return permissions.may_manage_reference_lists(request.user)

    def has_change_permission(self, request, obj=None):
        return permissions.may_manage_reference_lists(request.user)

    def has_delete_permission(self, request, obj=None):
        return False
