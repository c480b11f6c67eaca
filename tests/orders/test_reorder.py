"""Reorder suggestions: the forecast, the stock position and the drafts made from them.

Expected values are worked out by hand beside each test.
"""

import datetime
import math

import pytest
from django.urls import reverse
from django.utils import timezone

from inventory import services as inventory_services
from inventory.forecast import forecast
from inventory.models import PurchaseOrder
from oms.errors import InvalidInput, NotAllowed
from orders import reorder_selectors
from orders.models import Order, OrderLine
from orders.reorder_selectors import history_weeks, reorder_suggestions, suggest, weekly_demand
from orders.services.reorder import reorder_drafts_create
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory


def _last_full_monday() -> datetime.datetime:
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    return datetime.datetime.combine(monday, datetime.time.min, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


def test_the_forecast_smooths_weekly_demand_by_hand():
    # level 4 -> 4 + 0.2 (0 - 4) = 3.2 -> 3.2 + 0.2 (8 - 3.2) = 4.16 -> 4.16 + 0.2 (4 - 4.16) = 4.128
    # one-step errors -4, 4.8, -0.16: spread sqrt((16 + 23.04 + 0.0256) / 3) = 3.60858
    fc = forecast([4, 0, 8, 4])
    assert fc.per_week == pytest.approx(4.128)
    assert fc.spread == pytest.approx(3.60858, abs=1e-5)
    assert forecast([]).per_week == 0 and forecast([]).spread == 0
    assert forecast([5]) == forecast([5])  # one week: level 5, no error to measure
    assert forecast([5]).per_week == 5 and forecast([5]).spread == 0


def test_a_suggestion_covers_lead_time_and_review_with_safety_stock(db):
    supplier = SupplierFactory(lead_time_days=14)
    product = ProductFactory(supplier=supplier)
    # cover (14 + 7) / 7 = 3 weeks: 4.128 x 3 = 12.384; safety 1.65 x 3.60858 x sqrt(3) = 10.3131
    # target ceil(22.697) = 23; position 10 on hand - 3 allocated + 5 on order - 2 backordered = 10
    s = suggest(
        product=product, history=[4, 0, 8, 4], on_hand=10, allocated=3, on_order=5, backordered=2
    )
    assert (s.target, s.position, s.quantity, s.lead_days) == (23, 10, 13, 14)


def test_the_reorder_point_is_a_floor_and_enough_stock_suggests_nothing(db):
    product = ProductFactory(supplier=SupplierFactory(lead_time_days=7), reorder_point=5)
    # no demand: target is the reorder point + 1 = 6; position 2 -> 4 to order
    s = suggest(product=product, history=[0] * 4, on_hand=2, allocated=0, on_order=0, backordered=0)
    assert (s.target, s.quantity) == (6, 4)
    s = suggest(product=product, history=[0] * 4, on_hand=9, allocated=0, on_order=0, backordered=0)
    assert s.quantity == 0


def _order(product, quantity, placed, *, status="delivered", drop_ship=False):
    order = Order.objects.create(
        channel="web",
        customer=CustomerFactory(),
        status=status,
        placed_at=placed,
        subtotal=0,
        total=0,
    )
    OrderLine.objects.create(
        order=order,
        product=product,
        sku=product.sku,
        name=product.name,
        unit_price=1,
        quantity=quantity,
        is_drop_ship=drop_ship,
    )
    return order


def _at(day, hour=12):
    """Return a moment ``day`` days after the Monday of the last full week."""
    return _last_full_monday() + datetime.timedelta(days=day, hours=hour)


@pytest.fixture
def world(warehouse, bin_a, manager_user):
    """Acme (lead 7 days) sells mugs; Bolt (lead 14) sells bolts; a product with no supplier."""
    acme = SupplierFactory(code="ACME", lead_time_days=7)
    bolt = SupplierFactory(code="BOLT", lead_time_days=14)
    mug = ProductFactory(sku="MUG", supplier=acme)
    bolts = ProductFactory(sku="BOLTS", supplier=bolt)
    loose = ProductFactory(sku="LOOSE")
    # The last full week (days 0 to 6) and the one before (days -7 to -1).
    _order(mug, 10, _at(0, 0))
    _order(mug, 6, _at(6, 23))
    _order(mug, 4, _at(-3))
    _order(mug, 50, _at(1), status="cancelled")  # cancelled: not demand
    _order(mug, 30, _at(7, 0))  # this week: not a full week yet
    _order(mug, 9, _at(-3), drop_ship=True)  # drop-ship: never stocked
    _order(bolts, 2, _at(2))
    _order(loose, 1, _at(2))
    inventory_services.stock_receive(
        product=mug, location=bin_a, quantity=3, user=manager_user, reference="T"
    )
    return {"acme": acme, "bolt": bolt, "mug": mug, "bolts": bolts, "loose": loose}


def test_weekly_demand_counts_placed_orders_per_full_week(world):
    mondays = history_weeks()
    assert len(mondays) == reorder_selectors.HISTORY_WEEKS
    assert mondays[-1] == _last_full_monday().date()
    demand = weekly_demand(mondays)
    assert demand[world["mug"].pk][-2:] == [4, 16]
    assert sum(demand[world["mug"].pk]) == 20
    assert demand[world["bolts"].pk][-1] == 2


def test_suggestions_by_supplier_from_demand_stock_and_open_orders(world, warehouse, manager_user):
    # given: 5 mugs on a draft, 2 of 4 received on a sent order (2 still expected)
    inventory_services.purchase_order_create(
        supplier=world["acme"], warehouse=warehouse, lines=[(world["mug"], 5)], user=manager_user
    )
    rows = {s.product.sku: s for s in reorder_suggestions()}
    mug = rows["MUG"]
    # mug history: 24 zero weeks, 4, 16 -> level 0 ... 0, 0.8, 0.64 + 3.2 = 3.84
    expected = forecast([0] * 24 + [4, 16])
    assert mug.forecast.per_week == pytest.approx(3.84)
    cover = 2  # (7 + 7) / 7 weeks
    target = math.ceil(3.84 * cover + 1.65 * expected.spread * math.sqrt(cover))
    assert (mug.on_hand, mug.on_order, mug.target) == (3, 5, target)
    assert mug.quantity == target - 8
    assert [s.product.sku for s in reorder_suggestions()] == ["MUG", "BOLTS", "LOOSE"]
    assert rows["LOOSE"].supplier is None


def test_one_click_makes_a_draft_per_supplier_and_a_second_click_nothing(
    world, warehouse, manager_user
):
    wanted = {s.product.sku: s.quantity for s in reorder_suggestions()}
    made = reorder_drafts_create(
        supplier_ids=[world["acme"].pk, world["bolt"].pk], warehouse=warehouse, user=manager_user
    )
    assert [po.supplier.code for po in made] == ["ACME", "BOLT"]
    for po in made:
        assert po.status == PurchaseOrder.Status.DRAFT and po.warehouse == warehouse
        for line in po.lines.all():
            assert line.quantity_ordered == wanted[line.product.sku]
    # the drafts are on order now: nothing more to suggest for these suppliers
    again = reorder_drafts_create(
        supplier_ids=[world["acme"].pk, world["bolt"].pk], warehouse=warehouse, user=manager_user
    )
    assert again == []
    assert PurchaseOrder.objects.count() == 2


def test_making_drafts_is_refused_to_sales_and_for_unknown_suppliers(
    world, warehouse, sales_user, manager_user
):
    with pytest.raises(NotAllowed):
        reorder_drafts_create(supplier_ids=[world["acme"].pk], warehouse=warehouse, user=sales_user)
    with pytest.raises(InvalidInput, match="does not exist"):
        reorder_drafts_create(
            supplier_ids=[world["acme"].pk, 999999], warehouse=warehouse, user=manager_user
        )
    with pytest.raises(InvalidInput, match="at least one"):
        reorder_drafts_create(supplier_ids=[], warehouse=warehouse, user=manager_user)
    assert not PurchaseOrder.objects.exists()


def test_the_page_lists_suggestions_by_supplier_and_makes_drafts(
    client, world, warehouse, manager_user, django_assert_max_num_queries
):
    client.force_login(manager_user)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("orders:reorder_list"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-reorder-supplier="ACME"' in html and 'data-reorder-sku="MUG"' in html
    assert "No supplier" in html and 'data-reorder-sku="LOOSE"' in html
    answer = client.post(
        reverse("orders:reorder_create"),
        {"supplier": [world["acme"].pk], "warehouse": warehouse.pk},
        follow=True,
    )
    assert "Draft purchase orders made: PO-" in answer.content.decode()
    assert list(PurchaseOrder.objects.values_list("supplier__code", flat=True)) == ["ACME"]


def test_the_page_refuses_bad_input_and_writes_nothing(client, world, warehouse, manager_user):
    client.force_login(manager_user)
    url = reverse("orders:reorder_create")
    for data, words in (
        ({"supplier": ["x1"], "warehouse": warehouse.pk}, "not valid"),
        ({"supplier": [world["acme"].pk], "warehouse": "nope"}, "Choose the warehouse"),
        ({"supplier": [12345678], "warehouse": warehouse.pk}, "does not exist"),
        ({"warehouse": warehouse.pk}, "at least one supplier"),
    ):
        answer = client.post(url, data, follow=True)
        assert answer.status_code == 200 and words in answer.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_only_managers_open_the_reorder_page(client, world, sales_user, warehouse_user, warehouse):
    for user in (sales_user, warehouse_user):
        client.force_login(user)
        assert client.get(reverse("orders:reorder_list")).status_code == 403
        answer = client.post(
            reverse("orders:reorder_create"),
            {"supplier": [world["acme"].pk], "warehouse": warehouse.pk},
        )
        assert answer.status_code == 403
    assert not PurchaseOrder.objects.exists()


def test_the_page_says_when_nothing_needs_reordering(client, manager_user):
    client.force_login(manager_user)
    assert "Nothing to reorder" in client.get(reverse("orders:reorder_list")).content.decode()
