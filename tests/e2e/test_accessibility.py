"""axe-core (WCAG 2.1 A and AA rules) over every page each role can open, and the customers' emails.

axe-core is vendored from npm for these tests only (``tests/e2e/vendor/axe-core``)
and injected into each page after it loads. Every staff page the role table lets
a role open (the same list the role matrix calls: ``page_calls``) is checked as
that role, the scan screens also with an answer and the camera panel on screen,
and the HTML of every email a customer gets. A critical or serious finding
fails the test with the rule, the page and the element.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from fulfillment.models import Wave
from oms.models import OutboundEmail
from oms.outbox.kinds import email_kind, email_kinds
from oms.roles import Role
from orders.models import Order
from tests.e2e.conftest import ARTIFACTS
from tests.oms import test_role_matrix as role_matrix
from tests.oms.test_role_matrix import SUPERUSER, page_calls, principal_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

world = role_matrix.world  # the fixture: real objects for every page argument
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"critical", "serious"}
# Best-practice rules that fail the test whatever axe-core calls their impact.
ALWAYS = {"empty-table-header"}
ROLES = [str(Role.SALES), str(Role.WAREHOUSE), str(Role.MANAGER), SUPERUSER]
SCAN_SCREENS = ["receive", "count", "pick", "pack"]


def axe_findings(page) -> list[str]:
    """Run axe-core on the page as it is now; return its critical and serious findings.

    WCAG 2.1 A and AA rules, and axe-core's best practices: a serious best-practice
    finding counts too, and an empty table header whatever its impact.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        [*WCAG_21_AA, "best-practice"],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING or violation["id"] in ALWAYS
        for node in violation["nodes"]
    ]


def report(name: str, findings: dict) -> None:
    """Keep the findings beside the screenshots, one line each, to read when a test fails."""
    ARTIFACTS.mkdir(exist_ok=True)
    lines = [f"{where}: {line}" for where, found in findings.items() for line in found]
    (ARTIFACTS / f"{name}.txt").write_text("\n".join(lines) + "\n" if lines else "")


def html_pages(principal: str, world) -> list[str]:
    """The pages a principal may open with GET that answer with an HTML page (not a PDF)."""
    calls = page_calls(principal, world)
    return sorted({call.path for call in calls if call.expected and call.method == "GET"})


@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_can_open_has_no_serious_accessibility_finding(
    page_as, world, role, screenshot
):
    # given
    user = principal_user(role)
    page = page_as(user)
    findings = {}
    checked = 0
    # when
    for path in html_pages(role, world):
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
            screenshot(page, f"axe-{role.lower()}-{path.strip('/').replace('/', '-') or 'home'}")
    # then
    report(f"axe-{role.lower()}", findings)
    assert checked >= 5, f"{role}: too few pages checked ({checked})"
    assert findings == {}, f"{role}: axe-core findings"


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
