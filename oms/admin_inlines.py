"""The one read-only inline every app's admin uses for rows it shows beside their parent."""

from django.contrib import admin


class ReadOnlyInline(admin.TabularInline):
    """Rows shown, never added, changed or deleted here (their app's services write them)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
