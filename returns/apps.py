from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"

    def ready(self) -> None:
        from oms.accounting import register_source
        from oms.reports import register_figure
        from orders.hooks import register
        from returns.accounting import credit_note_documents
        from returns.hooks import HOOKS
        from returns.notifications import register_emails
        from returns.report_selectors import returns_by_reason
        from returns.resources.exports import register_exports

        register(HOOKS)
        register_emails()
        register_exports()
        register_source("credit_note", credit_note_documents)
        register_figure(
            "returns_by_reason",
            title="Returns by reason",
            columns=("Reason", "Returns", "Units"),
            rows=returns_by_reason,
            permission="returns.view_return",
        )
