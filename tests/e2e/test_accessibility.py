"""axe-core (WCAG 2.1 A and AA rules) over every page each role can open, and the customers' emails.

axe-core is vendored from npm for these tests only (``tests/e2e/vendor/axe-core``)
and injected into each page after it loads. Every staff page the role table lets
a role open (the same list the role matrix calls: ``page_calls``) is checked as
that role, the scan screens also with an answer and the camera panel on screen,
and the HTML of every email a customer gets. A critical or serious finding
fails the test with the rule, the page and the element.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse

from fulfillment.models import Wave
from inventory import services as inventory_services
from oms.models import OutboundEmail
from oms.outbox.kinds import email_kind, email_kinds
from oms.outbox.sending import send_due_emails
from oms.roles import Role
from orders import services as order_services
from orders.models import Order
from tests.e2e.axe import axe_findings
from tests.e2e.conftest import ARTIFACTS
from tests.factories import CustomerFactory, address_data
from tests.mail_backends import closed_port
from tests.oms import test_role_matrix as role_matrix
from tests.oms.test_access import OPEN_PAGES
from tests.oms.test_role_matrix import SUPERUSER, page_calls, principal_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

world = role_matrix.world  # the fixture: real objects for every page argument
ROLES = [str(Role.SALES), str(Role.WAREHOUSE), str(Role.MANAGER), SUPERUSER]
SCAN_SCREENS = ["receive", "count", "pick", "pack"]
# Addresses that answer a file to download (exports, documents), not a page.
FILES = (".csv", ".xlsx", ".pdf")


def report(name: str, findings: dict) -> None:
    """Keep the findings beside the screenshots, one line each, to read when a test fails."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{where}: {line}" for where, found in findings.items() for line in found]
    (ARTIFACTS / f"{name}.txt").write_text("\n".join(lines) + "\n" if lines else "")


def html_pages(principal: str, world) -> list[str]:
    """The pages a principal may open with GET, and each order's page where it may see one."""
    calls = page_calls(principal, world)
    paths = {
        call.path
        for call in calls
        if call.expected and call.method == "GET" and not call.path.endswith(FILES)
    }
    if reverse("orders:order_detail", args=[world[Order]]) in paths:
        paths |= {o.get_absolute_url() for o in Order.objects.all()}
    return sorted(paths)


@pytest.fixture
def busy(world, stocked, bin_a, sales_user, warehouse_user, settings):
    """The role matrix's objects, and what makes pages busier: an order on hold, a cancelled
    one, a count waiting for approval, an email that failed."""
    extra = [
        order_services.order_create(
            customer=CustomerFactory(name=name),
            lines=[{"sku": "MUG-RED", "quantity": 1}],
            shipping_address=address_data(),
            user=sales_user,
            place=True,
        )
        for name in ("Held Customer", "Cancelled Customer")
    ]
    order_services.order_hold(order_id=extra[0].pk, user=sales_user, reason="Customer asked")
    order_services.order_cancel(order_id=extra[1].pk, user=sales_user, reason="Changed mind")
    inventory_services.stock_count(
        product=stocked, location=bin_a, counted=7, user=warehouse_user, reference="COUNT A"
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 5
    settings.OMS_EMAIL_MAX_ATTEMPTS = 1
    order_services.order_confirm(order_id=world[Order], user=sales_user)
    send_due_emails()
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED).exists()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_open_has_no_serious_accessibility_finding(
    page_as, busy, role, screenshot
):
    # given
    user = principal_user(role)
    page = page_as(user)
    findings = {}
    checked = 0
    # when
    for path in html_pages(role, busy):
        response = page.goto(path)
        kind = response.headers.get("content-type", "")
        if response.status != 200 or not kind.startswith("text/html"):
            continue
        if page.evaluate("!document.querySelector('main, #content')"):
            continue  # an htmx fragment, checked on the page it belongs to
        checked += 1
        found = axe_findings(page)
        if found:
            findings[path] = found
        if found or role == str(Role.MANAGER):  # the manager's pages kept to look at
            screenshot(page, f"axe-{role.lower()}-{path.strip('/').replace('/', '-') or 'home'}")
    # then
    report(f"axe-{role.lower()}", findings)
    assert checked >= 5, f"{role}: too few pages checked ({checked})"
    assert findings == {}, f"{role}: axe-core findings"


def test_the_open_pages_and_the_refusal_page_have_no_serious_finding(
    browser, live_server, page_as, warehouse_user, screenshot
):
    # given: a visitor who is not logged in, and a warehouse user
    context = browser.new_context(base_url=live_server.url)
    visitor = context.new_page()
    findings = {}
    checked = 0
    # when: every page that needs no role and answers HTML without arguments (the login page,
    # and any customer page named open), then the 403 page a warehouse user gets at the desk
    for name in OPEN_PAGES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue  # takes an argument
        answer = Client().get(path)
        if answer.status_code != 200 or not answer["Content-Type"].startswith("text/html"):
            continue  # a redirect, a POST-only action, JSON
        visitor.goto(path)
        checked += 1
        findings[path] = axe_findings(visitor)
    context.close()
    page = page_as(warehouse_user)
    response = page.goto(reverse("orders:order_new"))
    assert response.status == 403
    findings["403"] = axe_findings(page)
    screenshot(page, "axe-403")
    # then
    assert checked >= 1
    assert {where: found for where, found in findings.items() if found} == {}


@pytest.mark.parametrize("screen", SCAN_SCREENS)
def test_scan_screens_with_an_answer_and_the_camera_panel_have_no_serious_finding(
    page_as, world, warehouse_user, screen, screenshot
):
    # given: a refused scan on screen, and the camera panel open (Chromium without a camera
    # says so in the panel)
    page = page_as(warehouse_user)
    wave = Wave.objects.order_by("pk").first()
    page.goto(
        reverse(
            f"{'fulfillment' if screen in {'pick', 'pack'} else 'inventory'}:{screen}",
            kwargs={"pk": wave.pk} if screen == "pick" else {},
        )
    )
    page.keyboard.type("NOT-A-THING", delay=5)
    page.keyboard.press("Enter")
    page.wait_for_selector("#scan-answer[data-scan-status='error']")
    page.click("[data-scan-camera]")
    page.wait_for_selector("#scan-camera:not([hidden])")
    # when
    found = axe_findings(page)
    screenshot(page, f"axe-scan-{screen}")
    # then
    assert found == []


def test_every_email_has_no_serious_finding(page_as, world, manager_user):
    # given: every kind of email the apps write, written for each order of the world
    # (a placed order, and an allocated one with its shipment in a wave)
    page = page_as(manager_user)
    findings = {}
    written = 0
    # when
    for kind in email_kinds():
        for order in Order.objects.order_by("pk"):
            html = email_kind(kind).render(OutboundEmail(kind=kind, about_id=order.pk)).html
            written += 1
            page.set_content(html)
            found = axe_findings(page)
            if found:
                findings[f"{kind} {order.number}"] = found
    # then
    report("axe-emails", findings)
    assert written >= 2 * len(email_kinds()) >= 2 * 6
    assert findings == {}
