"""The outbox in the Django admin: read-only, nothing deletable, resend and cancel as actions."""

import pytest
from django.urls import reverse

from oms.models import OutboundEmail
from oms.outbox.sending import send_due_emails
from oms.roles import Role
from tests.factories import UserFactory
from tests.oms.conftest import outbox_snapshot

Status = OutboundEmail.Status
CHANGELIST = reverse("admin:oms_outboundemail_changelist")


@pytest.fixture
def failed(confirm_order, smtp_down):
    smtp_down.OMS_EMAIL_MAX_ATTEMPTS = 1
    confirm_order(1)
    send_due_emails()
    smtp_down.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return OutboundEmail.objects.get()


def run_action(client, name, emails):
    return client.post(
        CHANGELIST,
        {"action": name, "_selected_action": [e.pk for e in emails]},
        follow=True,
    )


def test_managers_see_the_outbox_read_only(client, manager_user, failed):
    # given
    client.force_login(manager_user)
    # when
    listing = client.get(CHANGELIST)
    detail = client.get(reverse("admin:oms_outboundemail_change", args=[failed.pk]))
    # then
    assert listing.status_code == 200
    assert "connection refused" in listing.text and failed.about_label in listing.text
    actions = [value for value, _ in listing.context["action_form"].fields["action"].choices]
    assert actions == ["", "resend_emails", "cancel_emails"]
    assert client.get(CHANGELIST, {"q": "ann@example"}).context["cl"].result_count == 1
    assert client.get(CHANGELIST, {"q": "bob@example"}).context["cl"].result_count == 0
    assert detail.status_code == 200
    assert '<input type="submit" value="Save"' not in detail.text
    assert client.get(reverse("admin:oms_outboundemail_add")).status_code == 403
    delete = reverse("admin:oms_outboundemail_delete", args=[failed.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert OutboundEmail.objects.filter(pk=failed.pk).exists()


def test_the_resend_action_runs_the_service(client, manager_user, failed):
    # given
    client.force_login(manager_user)
    # when
    response = run_action(client, "resend_emails", [failed])
    # then
    assert "1 email(s) queued to be sent again." in response.text
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.QUEUED, 0)


def test_the_cancel_action_runs_the_service_and_reports_refusals(
    client, manager_user, failed, confirm_order
):
    # given a failed email and a sent one
    confirm_order(1)
    send_due_emails()
    sent = OutboundEmail.objects.get(status=Status.SENT)
    client.force_login(manager_user)
    # when
    response = run_action(client, "cancel_emails", [failed, sent])
    # then the failed one is cancelled, the sent one refused with the reason
    assert "1 email(s) cancelled." in response.text
    assert "can no longer be cancelled" in response.text
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == (Status.CANCELLED, Status.SENT)


@pytest.mark.parametrize("role", [Role.SALES, Role.WAREHOUSE])
def test_other_roles_cannot_open_the_outbox_in_the_admin(client, failed, role):
    # given
    client.force_login(UserFactory(username=f"someone-{role}", roles=[role]))
    before = outbox_snapshot()
    # when / then
    assert client.get(CHANGELIST).status_code == 403
    assert run_action(client, "resend_emails", [failed]).status_code == 403
    assert outbox_snapshot() == before
