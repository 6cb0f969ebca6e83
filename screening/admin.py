from django.contrib import admin

from attachment_app.admin_site import ReferenceListAdmin

from .models import ConcernCategory


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(ReferenceListAdmin):
    """Admins add categories or take them out of use; concerns keep the ones they were given."""

    list_display = ["name", "code", "active", "position"]
    list_editable = ["active", "position"]
    search_fields = ["name", "code"]
