from django.contrib import admin

from .models import ConcernCategory


@admin.register(ConcernCategory)
class ConcernCategoryAdmin(admin.ModelAdmin):
    """Admins add categories or take them out of use; concerns keep the ones they were given."""

    list_display = ["name", "code", "active", "position"]
    list_editable = ["active", "position"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request, obj=None):
        return False
