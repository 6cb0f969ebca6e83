from django.contrib import admin

from .models import AccessLog


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Read-only: the log can be searched but never edited or pruned here."""

    list_display = ["at", "user", "action", "object_type", "object_id", "family_ids"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "user__username"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
