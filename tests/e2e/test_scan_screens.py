"""Scans that come faster than the server answers: every one counts, none is garbled or lost."""

import pytest

from inventory.models import StockLevel, StockMovement
from tests.e2e.conftest import release_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

MUG = "4006381333931"


def scan(page, code: str) -> None:
    """Type a code and Enter, as a keyboard-wedge scanner does, into whatever has focus."""
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def answer_all(page, held: list, *, expected: int) -> None:
    """Let the held answers through, one after the other, until ``expected`` have arrived."""
    page.evaluate(
        "n => { window.__answers = 0; document.body.addEventListener('htmx:afterSwap', "
        "e => { if (e.target.id === 'scan-panel') window.__answers += 1; }); }",
        expected,
    )
    release_until(page, held, lambda: page.evaluate("window.__answers") >= expected)


def test_scans_queued_behind_a_slow_answer_are_each_booked_once(
    page_as, warehouse_user, product, bin_a
):
    # given: the receive screen, its answers held back until every scan is in
    page = page_as(warehouse_user)
    page.goto("/inventory/receive/")
    held = []
    page.route("**/inventory/receive/scan/", lambda route: held.append(route))

    # when: the bin, three mugs and an unreadable code come back to back
    for code in [bin_a.barcode, MUG, MUG, MUG, "NOT-A-THING"]:
        scan(page, code)
    assert page.input_value("#scan-code") == ""
    answer_all(page, held, expected=5)

    # then: three receipts of one, and the refused code is back in the field to look at
    level = StockLevel.objects.get(product=product, location=bin_a)
    assert level.on_hand == 3
    assert StockMovement.objects.filter(product=product).count() == 3
    assert page.input_value("#scan-code") == "NOT-A-THING"
    assert page.get_attribute("#scan-answer", "data-scan-status") == "error"
    assert page.evaluate("document.activeElement.id") == "scan-code"


def test_an_undo_pressed_while_scans_wait_applies_in_order(page_as, warehouse_user, product, bin_a):
    # given
    page = page_as(warehouse_user)
    page.goto("/inventory/receive/")
    held = []
    page.route("**/inventory/receive/**", lambda route: held.append(route))

    # when: bin, two mugs, then F2 (undo) before anything was answered
    for code in [bin_a.barcode, MUG, MUG]:
        scan(page, code)
    page.keyboard.press("F2")
    answer_all(page, held, expected=4)

    # then: the undo took back the second mug, not the first nor nothing
    assert StockLevel.objects.get(product=product, location=bin_a).on_hand == 1
