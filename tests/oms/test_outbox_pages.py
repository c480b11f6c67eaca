"""The managers' email page, the home page count and the order page's email lines."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from oms.models import OutboundEmail
from oms.outbox.sending import send_due_emails
from oms.roles import Role
from tests.factories import CustomerFactory, UserFactory
from tests.oms.conftest import outbox_snapshot

Status = OutboundEmail.Status
LIST = reverse("outbox:email_list")


def action(email, name, query=""):
    return reverse("outbox:email_action", args=[email.pk, name]) + query


@pytest.fixture
def failing(confirm_order, smtp_down):
    """Return a function that confirms n orders whose confirmations fail (one attempt allowed)."""
    smtp_down.OMS_EMAIL_MAX_ATTEMPTS = 1

    def make(n: int = 1) -> list[OutboundEmail]:
        for _ in range(n):
            confirm_order(1, customer=CustomerFactory())
        send_due_emails()
        return list(OutboundEmail.objects.filter(status=Status.FAILED).order_by("pk"))

    return make


def test_the_list_shows_failed_emails_with_resend_and_cancel(client, manager_user, failing):
    # given
    [email] = failing(1)
    client.force_login(manager_user)
    # when
    response = client.get(LIST)
    # then
    assert response.status_code == 200
    page = response.content.decode()
    assert f'data-email="{email.pk}" data-status="failed"' in page
    assert email.to[0] in page and "connection refused" in page
    assert escape(email.message_id) in page
    assert action(email, "resend") in page and action(email, "cancel") in page
    assert dict((v, n) for v, _, n in response.context["tabs"])["attention"] == 1


def test_the_list_costs_the_same_queries_for_many_emails(
    client, manager_user, failing, django_assert_max_num_queries
):
    # given
    failing(2)
    client.force_login(manager_user)
    client.get(LIST)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST)
    failing(10)
    # when / then
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["rows"]) == OutboundEmail.objects.count() >= 12


def test_the_list_filters_by_status_and_search(
    client, manager_user, failing, confirm_order, smtp_down
):
    # given one failed and one sent
    [failed] = failing(1)
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    confirm_order(1, customer=CustomerFactory(email="zed@example.com"))
    send_due_emails()
    client.force_login(manager_user)
    # when / then
    sent = client.get(LIST, {"status": "sent"})
    assert [r["email"].to for r in sent.context["rows"]] == [["zed@example.com"]]
    assert [r["email"] for r in client.get(LIST, {"q": failed.to[0]}).context["rows"]] == [failed]
    assert client.get(LIST, {"q": "nobody@nowhere"}).context["rows"] == []
    # and nonsense is answered, not crashed on
    odd = client.get(LIST, {"status": "everything", "q": "x" * 5000, "page": "last-ish"})
    assert odd.status_code == 200 and odd.context["tab"] == "attention"
    assert len(odd.context["search"]) == 100


def test_the_resend_button_queues_it_again_and_comes_back_to_the_list(
    client, manager_user, failing, smtp_down, django_capture_on_commit_callbacks
):
    # given
    [email] = failing(1)
    client.force_login(manager_user)
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action(email, "resend", "?status=failed"))
    # then
    assert response.status_code == 302 and response.url == f"{LIST}?status=failed"
    email.refresh_from_db()
    assert email.status == Status.SENT  # the immediate tasks backend sent it after commit
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [email.message_id]
    followed = client.get(response.url)
    assert "will be sent again now" in followed.content.decode()


def test_the_cancel_button_cancels_it(client, manager_user, failing):
    # given
    [email] = failing(1)
    client.force_login(manager_user)
    # when
    response = client.post(action(email, "cancel"))
    # then
    assert response.status_code == 302
    email.refresh_from_db()
    assert email.status == Status.CANCELLED
    assert mail.outbox == []


def test_a_refused_action_says_why_and_changes_nothing(client, manager_user, confirm_order):
    # given a sent email
    confirm_order(1)
    send_due_emails()
    email = OutboundEmail.objects.get()
    before = outbox_snapshot()
    client.force_login(manager_user)
    # when
    response = client.post(action(email, "cancel"))
    # then
    assert response.status_code == 409
    assert "can no longer be cancelled" in response.content.decode()
    assert outbox_snapshot() == before


@pytest.mark.parametrize("role", [Role.SALES, Role.WAREHOUSE])
def test_other_roles_are_refused_the_list_and_the_buttons(client, failing, role):
    # given
    [email] = failing(1)
    before = outbox_snapshot()
    client.force_login(UserFactory(username=f"someone-{role}", roles=[role]))
    # when / then
    assert client.get(LIST).status_code == 403
    assert client.post(action(email, "resend")).status_code == 403
    assert client.post(action(email, "cancel")).status_code == 403
    assert outbox_snapshot() == before
    home = client.get(reverse("home"))
    assert "emails" not in home.context and "data-emails-card" not in home.content.decode()


def test_bad_actions_and_ids_are_refused(client, manager_user, failing):
    # given
    [email] = failing(1)
    before = outbox_snapshot()
    client.force_login(manager_user)
    # when / then
    assert client.post(action(email, "delete")).status_code == 404
    assert client.get(action(email, "resend")).status_code == 405
    assert client.post(f"/emails/{email.pk + 1000}/resend/").status_code == 404
    assert client.post("/emails/abc/resend/").status_code == 404
    assert outbox_snapshot() == before


def test_anonymous_visitors_are_sent_to_log_in(client, failing):
    [email] = failing(1)
    assert client.get(LIST).status_code == 302
    assert client.post(action(email, "resend")).status_code == 302
    assert OutboundEmail.objects.get().status == Status.FAILED


def test_the_managers_home_counts_failed_and_retrying_emails(client, manager_user, failing):
    # given nothing failed yet
    client.force_login(manager_user)
    assert client.get(reverse("home")).context["emails"] == {"failed": 0, "retrying": 0}
    # when two fail
    failing(2)
    # then
    home = client.get(reverse("home"))
    assert home.context["emails"] == {"failed": 2, "retrying": 0}
    assert 'data-failed-emails="2"' in home.content.decode()
    assert LIST in home.content.decode()


def test_the_order_page_shows_an_email_waiting_to_be_sent(client, sales_user, confirm_order):
    # given a confirmation written but not sent yet
    order = confirm_order(2)
    client.force_login(sales_user)
    # when
    page = client.get(order.get_absolute_url()).content.decode()
    # then
    assert 'data-email-status="queued"' in page
    assert "Order confirmation to ann@example.com waiting to be sent" in page
    # and once sent, the line says so instead
    send_due_emails()
    page = client.get(order.get_absolute_url()).content.decode()
    assert "data-email-status" not in page
    assert "Order confirmation emailed to ann@example.com" in page


def test_the_order_page_costs_the_same_queries_for_one_email_or_three(
    client, sales_user, confirm_order, django_assert_max_num_queries
):
    # given an order with one email and another with three
    one, three = confirm_order(1), confirm_order(12)
    UserFactory(username="boss", roles=[Role.MANAGER])
    client.force_login(sales_user)
    client.get(one.get_absolute_url())
    with django_assert_max_num_queries(40) as counted:
        client.get(one.get_absolute_url())
    # when / then
    with django_assert_max_num_queries(len(counted.captured_queries)):
        client.get(three.get_absolute_url())
