"""Returns and refunds in the admin: buttons through the services, nothing deleted; the daily expiry."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from orders.models import OrderEvent
from returns import services
from returns.models import CreditNote, Refund, Return, ReturnEvent, ReturnReason
from tests.returns.conftest import red_line


def change_post(obj, transition, inlines):
    """Return the change-form POST the admin's transition button sends."""
    data = {"_fsm_transition_to": transition}
    for prefix, rows in inlines:
        data[f"{prefix}-TOTAL_FORMS"] = rows
        data[f"{prefix}-INITIAL_FORMS"] = rows
    return data


def return_post(rma, transition):
    return change_post(
        rma, transition, [("lines", rma.lines.count()), ("events", rma.events.count())]
    )


@pytest.fixture
def requested(paid_order, sales_user):
    return services.return_create(
        order_id=paid_order.pk,
        user=sales_user,
        lines=[{"order_line": red_line(paid_order).pk, "quantity": 1, "reason": "damaged"}],
    )


def test_a_rep_authorizes_a_return_with_the_admin_button(client, requested, sales_user):
    # given
    client.force_login(sales_user)
    url = reverse("admin:returns_return_change", args=[requested.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="authorize"' in page.text
    # when
    answer = client.post(url, return_post(requested, "authorize"), follow=True)
    # then
    assert f"Return {requested} is now authorized." in answer.text
    requested.refresh_from_db()
    assert requested.status == Return.Status.AUTHORIZED and requested.authorized_by == sales_user
    assert OrderEvent.objects.filter(order=requested.order, note__contains="authorized").exists()


def test_a_refused_button_says_why_and_changes_nothing(client, requested, sales_user, unchanged):
    # given: a return already rejected
    services.return_reject(return_id=requested.pk, reason="no", user=sales_user)
    client.force_login(sales_user)
    before, events = unchanged(), ReturnEvent.objects.count()
    # when
    answer = client.post(
        reverse("admin:returns_return_change", args=[requested.pk]),
        return_post(requested, "authorize"),
        follow=True,
    )
    # then
    assert f"Return {requested} is rejected: it cannot be authorized now." in answer.text
    assert unchanged() == before and ReturnEvent.objects.count() == events


def test_warehouse_staff_see_returns_without_buttons(client, requested, warehouse_user, unchanged):
    client.force_login(warehouse_user)
    before = unchanged()
    url = reverse("admin:returns_return_change", args=[requested.pk])
    page = client.get(url)
    posted = client.post(url, return_post(requested, "cancel"))
    assert page.status_code == 200 and requested.number in page.text
    assert "_fsm_transition_to" not in page.text
    assert posted.status_code == 403
    assert unchanged() == before


def test_nothing_is_deleted_in_the_admin(client, requested, manager_user):
    client.force_login(manager_user)
    reason = ReturnReason.objects.get(code="damaged")
    for url in [
        reverse("admin:returns_return_delete", args=[requested.pk]),
        reverse("admin:returns_returnreason_delete", args=[reason.pk]),
    ]:
        assert client.post(url, {"post": "yes"}).status_code == 403
    listing = client.get(reverse("admin:returns_return_changelist"))
    assert "delete_selected" not in listing.text
    assert Return.objects.filter(pk=requested.pk).exists()


def test_refund_buttons_approve_and_pay_cash_but_send_card_refunds_to_the_queue(
    client, paid_order, manager_user, unchanged
):
    # given: a goodwill refund by card and one in cash
    card = services.refund_request(
        order_id=paid_order.pk, amount="2.00", reason="late", user=manager_user
    )
    cash = services.refund_request(
        order_id=paid_order.pk, amount="3.00", reason="late", method="cash", user=manager_user
    )
    client.force_login(manager_user)

    def press(refund, transition):
        return client.post(
            reverse("admin:returns_refund_change", args=[refund.pk]),
            change_post(refund, transition, [("lines", 0)]),
            follow=True,
        )

    # when
    press(card, "approve")
    press(cash, "approve")
    before = unchanged()
    card_paid = press(card, "pay")
    assert "record it as paid on the refunds page" in card_paid.text
    assert unchanged() == before
    cash_paid = press(cash, "pay")
    # then
    assert f"Refund {cash} is now paid." in cash_paid.text
    assert Refund.objects.get(pk=card.pk).status == Refund.Status.APPROVED
    note = CreditNote.objects.get(refund=cash)
    page = client.get(reverse("admin:returns_refund_change", args=[cash.pk]))
    assert note.number in page.text
    assert client.get(reverse("admin:returns_creditnote_change", args=[note.pk])).status_code == 200


def test_expire_returns_expires_authorized_returns_past_their_window(requested, sales_user):
    # given: an authorized return whose window ended yesterday, and another still open
    services.return_authorize(return_id=requested.pk, user=sales_user)
    requested.refresh_from_db()
    day_after = requested.window_ends_on + datetime.timedelta(days=1)
    out = StringIO()
    # when
    call_command("expire_returns", today=requested.window_ends_on.isoformat(), stdout=out)
    kept = Return.objects.get(pk=requested.pk).status
    call_command("expire_returns", today=day_after.isoformat(), stdout=out)
    # then
    assert kept == Return.Status.AUTHORIZED
    assert Return.objects.get(pk=requested.pk).status == Return.Status.EXPIRED
    assert out.getvalue().splitlines() == [
        "No return to expire.",
        f"1 return(s) expired: {requested.number}.",
    ]


def test_expire_returns_refuses_a_bad_day(db):
    with pytest.raises(CommandError, match="such as 2025-03-31"):
        call_command("expire_returns", today="31/03/2025")
