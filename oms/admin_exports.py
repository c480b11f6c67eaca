"""The list exports as an admin action: the selected rows (or every row the filters show,
with "select all") as the same CSV file the staff list pages give.

Each action names an export registered in ``oms.exports``; the user needs that
export's permission. The file streams; a selection above ``OMS_EXPORT_INLINE_MAX``
rows is refused with a pointer to the list page, whose export of that size runs
in the background.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import StreamingHttpResponse

from oms.exports import CSV, csv_chunks, export_get, inline_rows_max


def csv_export_action(name: str, *, description: str = "Export the selected rows as CSV"):
    """Return an admin action exporting the selected rows through the export ``name``."""

    @admin.action(description=description)
    def export_csv(modeladmin, request, queryset):
        spec = export_get(name)
        if not request.user.has_perm(spec.permission):
            modeladmin.message_user(request, "You may not export these rows.", messages.ERROR)
            return None
        limit = inline_rows_max()
        count = queryset.count()
        if count > limit:
            modeladmin.message_user(
                request,
                f"{count:,} rows are more than one download holds ({limit:,}): export them "
                "from the list page, which prepares large files in the background.",
                messages.ERROR,
            )
            return None
        rows = spec.queryset({}).filter(pk__in=queryset.values("pk"))
        response = StreamingHttpResponse(csv_chunks(spec, rows), content_type=CSV)
        response["Content-Disposition"] = f'attachment; filename="{spec.filename("csv")}"'
        return response

    export_csv.__name__ = f"export_{name.replace('-', '_')}_csv"
    return export_csv
