"""Admin lists of growing tables count by the planner's estimate when unfiltered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory import services
from inventory.models import StockMovement
from oms import admin_paging


def test_an_unfiltered_list_below_the_threshold_and_a_filtered_one_count_exactly(
    stocked, product, bin_a
):
    # given two movements
    services.stock_receive(product=product, location=bin_a, quantity=1)
    # when
    everything = admin_paging.EstimatedCountPaginator(StockMovement.objects.all(), 10)
    receipts = admin_paging.EstimatedCountPaginator(StockMovement.objects.filter(quantity=1), 10)
    # then
    assert (everything.count, receipts.count) == (2, 1)


@pytest.mark.postgres
def test_a_big_unfiltered_table_is_counted_by_the_estimate(stocked, product, bin_a, monkeypatch):
    # given a table the planner knows holds rows, and a low threshold
    services.stock_receive(product=product, location=bin_a, quantity=1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inventory_stockmovement")
    monkeypatch.setattr(admin_paging, "EXACT_BELOW", 1)
    # when
    with CaptureQueriesContext(connection) as queries:
        count = admin_paging.EstimatedCountPaginator(StockMovement.objects.all(), 10).count
    # then
    assert count == 2
    assert not any("COUNT(" in query["sql"].upper() for query in queries)


def test_the_ledger_admin_lists_without_a_full_count(client, admin_user, stocked):
    # given
    client.force_login(admin_user)
    # when
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:inventory_stockmovement_changelist"))
    # then
    assert page.status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) <= 1
    assert "DATE_TRUNC" not in " ".join(q["sql"].upper() for q in queries)
