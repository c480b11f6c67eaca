"""The returns bench: scan the RMA, the items, their bins; refusals in plain words; undo; resume."""

import pytest
from django.urls import reverse

from oms.errors import DomainError
from returns import services
from returns.models import Return, ReturnScan


@pytest.fixture
def authorized(shipped_order, sales_user):
    rma = services.return_create(
        order_id=shipped_order.pk,
        user=sales_user,
        lines=[{"sku": "MUG-RED", "quantity": 1, "reason": "damaged"}],
    )
    return services.return_authorize(return_id=rma.pk, user=sales_user)


def test_scan_receive_refuse_restock_and_undo(authorized, warehouse_user, bin_a, unchanged):
    def scan(code):
        return services.bench_scan(user=warehouse_user, code=code, entry="scan")

    assert "Scan each item" in scan(authorized.number).message
    before = unchanged()
    with pytest.raises(DomainError, match="Not on this return: Blue mug"):
        scan("0036000291452")
    assert unchanged() == before
    assert "Received 1" in scan("4006381333931").message
    with pytest.raises(DomainError, match="everything on it has arrived"):
        scan("4006381333931")
    assert "Restock: Red mug into A-01-01" in scan(bin_a.barcode).message
    authorized.refresh_from_db()
    assert authorized.status == Return.Status.INSPECTED
    assert "Undone" in scan("CMD-UNDO").message
    authorized.refresh_from_db()
    assert authorized.status == Return.Status.RECEIVED
    assert ReturnScan.objects.filter(result="refused").count() == 2


def test_the_bench_page_resumes_from_the_scan_log(client, authorized, warehouse_user):
    client.force_login(warehouse_user)
    client.post(reverse("returns:bench_scan"), {"code": authorized.number})
    page = client.get(reverse("returns:bench"))
    assert authorized.number in page.content.decode()
    answer = client.post(reverse("returns:bench_scan"), {"code": "NOPE-1"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and 'data-scan-status="error"' in answer.content.decode()


def test_the_order_page_lists_returns(client, authorized, sales_user, shipped_order):
    client.force_login(sales_user)
    page = client.get(reverse("orders:order_detail", args=[shipped_order.pk])).content.decode()
    assert authorized.number in page and "Start a return" in page
