"""The email outbox in the admin, read-only: resend and cancel run the outbox's services."""

from django.contrib import admin, messages
from django.utils.html import format_html

from oms.admin_paging import GrowingTableAdmin
from oms.admin_readonly import ReadOnlyAdmin
from oms.errors import DomainError
from oms.models import OutboundEmail
from oms.outbox.kinds import kind_label, kind_link
from oms.outbox.services import email_cancel, email_resend

# Emails one admin action handles at most (each is its own transaction).
ACTION_LIMIT = 500


@admin.register(OutboundEmail)
class OutboundEmailAdmin(GrowingTableAdmin, ReadOnlyAdmin):
    """The outbox, read-only: resend and cancel are actions that run the outbox's services."""

    list_display = [
        "created_at",
        "kind_name",
        "about",
        "recipients",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["about_label", "subject", "message_id", "to"]
    list_select_related = ["created_by"]
    actions = ["resend_emails", "cancel_emails"]
    fields = [
        "kind",
        "about_type",
        "about_id",
        "about_label",
        "to",
        "subject",
        "body_text",
        "body_html",
        "rendered_at",
        "data",
        "message_id",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "sent_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    @admin.display(description="email", ordering="kind")
    def kind_name(self, obj):
        return kind_label(obj.kind)

    @admin.display(description="about", ordering="about_label")
    def about(self, obj):
        link = kind_link(obj)
        label = obj.about_label or obj.about_id
        return format_html('<a href="{}">{}</a>', link, label) if link else label

    @admin.display(description="to")
    def recipients(self, obj):
        return ", ".join(obj.to)

    def has_resend_permission(self, request):
        return request.user.has_perm("oms.resend_outboundemail")

    def has_cancel_permission(self, request):
        return request.user.has_perm("oms.cancel_outboundemail")

    def _run(self, request, queryset, service, done: str):
        if queryset.count() > ACTION_LIMIT:
            self.message_user(
                request, f"Select at most {ACTION_LIMIT} emails at a time.", messages.ERROR
            )
            return
        succeeded = 0
        for email in queryset.order_by("pk"):
            try:
                service(email_id=email.pk, user=request.user)
            except DomainError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                succeeded += 1
        if succeeded:
            self.message_user(request, f"{succeeded} email(s) {done}.", messages.SUCCESS)

    @admin.action(description="Resend the selected emails now", permissions=["resend"])
    def resend_emails(self, request, queryset):
        self._run(request, queryset, email_resend, "queued to be sent again")

    @admin.action(description="Cancel the selected emails", permissions=["cancel"])
    def cancel_emails(self, request, queryset):
        self._run(request, queryset, email_cancel, "cancelled")
