"""The admin's read-only building blocks, one of each for every app.

Rows that change only through their app's services are shown in the admin,
never added, changed or deleted there; and nothing is ever hard-deleted.
"""

from django.contrib import admin


class NoDeleteAdmin(admin.ModelAdmin):
    """Nothing is hard-deleted: rows are deactivated or cancelled instead."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(NoDeleteAdmin):
    """Rows shown, never added, changed or deleted here (their app's services write them)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown beside their parent, never added, changed or deleted here."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
