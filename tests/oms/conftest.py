import pytest

from oms.models import OutboundEmail
from orders import services
from orders.models import OrderEvent
from tests.factories import CustomerFactory, address_data
from tests.mail_backends import closed_port


def outbox_snapshot():
    """Return every outbox row's state and the timeline size, to prove that nothing changed."""
    return (
        sorted(
            OutboundEmail.objects.values_list(
                "pk", "status", "attempts", "next_attempt_at", "last_error", "sent_at"
            )
        ),
        OrderEvent.objects.count(),
    )


@pytest.fixture
def ann(db):
    return CustomerFactory(name="Ann Lee", email="ann@example.com")


@pytest.fixture
def confirm_order(stocked, sales_user, ann):
    """Return a function that places and confirms an order of red mugs for Ann (or another)."""

    def confirm(quantity: int = 2, customer=None):
        order = services.order_create(
            customer=customer or ann,
            user=sales_user,
            shipping_address=address_data(),
            lines=[{"sku": "MUG-RED", "quantity": quantity}],
            place=True,
        )
        return services.order_confirm(order_id=order.pk, user=sales_user)

    return confirm


@pytest.fixture
def smtp_down(settings):
    """Send through Django's real SMTP backend to a local port where no server listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()
    settings.EMAIL_TIMEOUT = 5
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    return settings


@pytest.fixture
def deferred_tasks(settings):
    """Queue tasks in the database, as production does (the worker runs them later)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
