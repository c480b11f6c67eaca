import pytest

from fulfillment import selectors, services
from fulfillment.models import ScanEvent, Shipment, Wave
from inventory.models import StockLevel
from oms.errors import Conflict, InvalidInput
from orders.models import LineAllocation, Order
from tests.factories import ProductFactory
from tests.fulfillment.conftest import refusals


@pytest.fixture
def plate(db):
    return ProductFactory(sku="PLATE", name="Plate", barcode="5012345678900")


@pytest.fixture
def two_orders(make_order, stocked, plate, bin_b, receive, warehouse_user):
    """Two orders in one wave: red mugs from A-01-01 and plates from A-01-02."""
    receive(plate, bin_b, 10)
    first = make_order(("PLATE", 1), ("MUG-RED", 2))
    second = make_order(("MUG-RED", 3))
    services.shipments_create_ready(user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    return wave, first, second


def scan(user, wave, code, **kwargs):
    return services.pick_scan(user=user, code=code, wave_id=wave.pk, **kwargs)


def test_pick_list_walks_bins_in_order_with_the_split_per_order(two_orders):
    # given
    wave, first, second = two_orders
    # when
    plist = selectors.pick_list(wave)
    # then
    assert [(row.location.code, row.product.sku, row.quantity) for row in plist.rows] == [
        ("A-01-01", "MUG-RED", 5),
        ("A-01-02", "PLATE", 1),
    ]
    assert [(s.order, s.tote, s.colour, s.quantity) for s in plist.rows[0].splits] == [
        (first.number, 1, "red", 2),
        (second.number, 2, "blue", 3),
    ]
    assert (plist.lines_done, plist.lines_total) == (0, 2)


def test_wave_filters_vip_and_max_orders(make_order, stocked, warehouse_user):
    # given
    make_order(("MUG-RED", 1))
    vip = make_order(("MUG-RED", 1), vip=True)
    services.shipments_create_ready(user=warehouse_user)
    # when
    wave = services.wave_create(user=warehouse_user, vip_only=True, max_orders=5)
    # then
    assert [s.order_id for s in wave.shipments.all()] == [vip.pk]
    assert wave.number == f"WV-{wave.pk:06d}"
    # and max orders
    other = services.wave_create(user=warehouse_user, max_orders=1)
    assert other.shipments.count() == 1


def test_a_wave_with_nothing_ready_is_refused(db, warehouse_user, floor):
    before = floor()
    with pytest.raises(Conflict, match="No shipment is ready to pick"):
        services.wave_create(user=warehouse_user)
    assert floor() == before


def test_pick_bin_then_product_fills_totes_in_order(two_orders, warehouse_user):
    # given
    wave, first, _second = two_orders
    # when
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    answer = scan(warehouse_user, wave, "3*4006381333931")
    # then
    assert answer.status == "warn"  # split over two totes: look
    assert "2 in tote 1 (red)" in answer.message and "1 in tote 2 (blue)" in answer.message
    assert "2 left here" in answer.message
    first.refresh_from_db()
    assert first.status == Order.Status.PROCESSING
    wave.refresh_from_db()
    assert wave.status == Wave.Status.PICKING
    shipment = first.shipments.get()
    assert shipment.status == Shipment.Status.PICKING


def test_picking_everything_finishes_shipments_and_wave(two_orders, warehouse_user):
    # given
    wave, _first, _second = two_orders
    # when
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    scan(warehouse_user, wave, "5*4006381333931")
    scan(warehouse_user, wave, "BIN-MAIN-A-01-02")
    answer = scan(warehouse_user, wave, "5012345678900")
    # then
    assert "completely picked" in answer.message
    assert set(Shipment.objects.values_list("status", flat=True)) == {"picked"}
    wave.refresh_from_db()
    assert wave.status == Wave.Status.DONE
    assert scan(warehouse_user, wave, "CMD-DONE").status == "ok"


def test_wrong_bin_is_refused_with_the_bin_to_go_to(two_orders, warehouse_user, floor, bin_a):
    # given
    wave, *_ = two_orders
    from tests.factories import LocationFactory

    LocationFactory(warehouse=bin_a.warehouse, code="Z-09-09")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        scan(warehouse_user, wave, "BIN-MAIN-Z-09-09")
    # then
    assert err.value.message == "Wrong bin: this line is in A-01-01"
    assert floor() == before
    assert refusals() == ["Wrong bin: this line is in A-01-01"]


def test_product_from_another_bin_is_refused_as_wrong_bin(two_orders, warehouse_user, floor):
    # given
    wave, *_ = two_orders
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    before = floor()
    # when
    with pytest.raises(Conflict, match=r"^Wrong bin: this line is in A-01-02$"):
        scan(warehouse_user, wave, "5012345678900")
    # then
    assert floor() == before


def test_wrong_product_is_refused(two_orders, warehouse_user, floor):
    # given
    wave, *_ = two_orders
    ProductFactory(sku="BOWL", name="Bowl", barcode="4000000000006")
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        scan(warehouse_user, wave, "4000000000006")
    # then
    assert err.value.message == (
        "Wrong product: Bowl is not on this pick list; pick Red mug from A-01-01."
    )
    assert floor() == before


def test_over_pick_is_refused(two_orders, warehouse_user, floor):
    # given
    wave, *_ = two_orders
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    scan(warehouse_user, wave, "4*4006381333931")
    before = floor()
    # when
    with pytest.raises(Conflict) as err:
        scan(warehouse_user, wave, "2*4006381333931")
    # then
    assert err.value.message == "Over-pick: only 1 × Red mug left to pick from A-01-01."
    assert floor() == before


def test_product_before_bin_is_refused(two_orders, warehouse_user, floor):
    wave, *_ = two_orders
    before = floor()
    with pytest.raises(InvalidInput, match=r"^Scan the bin first: this line is in A-01-01$"):
        scan(warehouse_user, wave, "4006381333931")
    assert floor() == before


def test_unreadable_code_is_refused(two_orders, warehouse_user, floor):
    wave, *_ = two_orders
    before = floor()
    with pytest.raises(InvalidInput, match="check digit"):
        scan(warehouse_user, wave, "4006381333932")
    assert floor() == before


def test_undo_takes_the_last_pick_back_and_is_logged(two_orders, warehouse_user):
    # given
    wave, _first, _ = two_orders
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    pick = scan(warehouse_user, wave, "2*4006381333931")
    # when
    answer = scan(warehouse_user, wave, "CMD-UNDO")
    # then
    assert answer.message.startswith("Undone: 2 × Red mug")
    assert answer.event.undoes_id == pick.event.pk
    assert selectors.pick_list(wave).units_picked == 0
    with pytest.raises(Conflict, match="Nothing to undo"):
        scan(warehouse_user, wave, "CMD-UNDO")


def test_short_pick_finds_the_rest_in_another_bin(
    make_order, stocked, bin_b, receive, warehouse_user, product
):
    # given: 10 in A-01-01 (allocated), 4 in A-01-02
    receive(product, bin_b, 4)
    order = make_order(("MUG-RED", 3))
    services.shipments_create_ready(user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    scan(warehouse_user, wave, "4006381333931")
    # when: the other 2 are not in the bin
    answer = scan(warehouse_user, wave, "CMD-SHORT")
    # then
    assert answer.status == "warn"
    assert "2 found in A-01-02" in answer.message
    plist = selectors.pick_list(wave)
    assert [(row.location.code, row.quantity, row.picked, row.short) for row in plist.rows] == [
        ("A-01-01", 1, 1, 2),
        ("A-01-02", 2, 0, 0),
    ]
    levels = dict(StockLevel.objects.values_list("location__code", "allocated"))
    assert levels == {"A-01-01": 1, "A-01-02": 2}
    allocations = dict(LineAllocation.objects.values_list("location__code", "quantity"))
    assert allocations == {"A-01-01": 1, "A-01-02": 2}
    assert order.lines.get().quantity_backordered == 0
    # and the picker goes on in the other bin
    scan(warehouse_user, wave, "BIN-MAIN-A-01-02")
    scan(warehouse_user, wave, "2*4006381333931")
    assert order.shipments.get().status == Shipment.Status.PICKED


def test_short_pick_with_no_other_bin_backorders_the_rest(
    make_order, stocked, warehouse_user, product
):
    # given: all 10 in A-01-01 are promised (3 + 7)
    order = make_order(("MUG-RED", 3))
    make_order(("MUG-RED", 7))
    services.shipment_create_for_order(order_id=order.pk, user=warehouse_user)
    wave = services.wave_create(user=warehouse_user)
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01")
    scan(warehouse_user, wave, "4006381333931")
    # when
    answer = scan(warehouse_user, wave, "CMD-SHORT")
    # then
    assert "2 backordered on the order" in answer.message
    line = order.lines.get()
    assert (line.quantity_allocated, line.quantity_backordered) == (1, 2)
    assert StockLevel.objects.get().allocated == 8
    shipment = order.shipments.get()
    assert shipment.status == Shipment.Status.PICKED
    assert shipment.lines.get().quantity == 1
    assert ScanEvent.objects.filter(action=ScanEvent.Action.SHORT).count() == 1


def test_short_without_a_bin_is_refused(two_orders, warehouse_user, floor):
    wave, *_ = two_orders
    before = floor()
    with pytest.raises(InvalidInput, match="Scan the bin first"):
        services.pick_short(user=warehouse_user, wave_id=wave.pk)
    assert floor() == before


def test_sales_may_not_pick(two_orders, sales_user, floor):
    from oms.errors import NotAllowed

    wave, *_ = two_orders
    before = floor()
    with pytest.raises(NotAllowed):
        scan(sales_user, wave, "BIN-MAIN-A-01-01")
    assert floor() == before


def test_pick_list_costs_the_same_queries_as_lines_grow(
    make_order, warehouse_user, warehouse, receive, django_assert_num_queries
):
    from tests.factories import LocationFactory

    def build(n):
        for _i in range(n):
            product = ProductFactory()
            location = LocationFactory(warehouse=warehouse)
            receive(product, location, 5)
            make_order((product.sku, 1))
        services.shipments_create_ready(user=warehouse_user)
        return services.wave_create(user=warehouse_user)

    small, large = build(2), build(8)
    with django_assert_num_queries(1):
        assert len(selectors.pick_list(small).rows) == 2
    with django_assert_num_queries(1):
        assert len(selectors.pick_list(large).rows) == 8


def test_the_log_says_how_each_code_arrived_accepted_or_refused(two_orders, warehouse_user, client):
    # given
    from fulfillment.models import ScanEvent
    from oms.errors import DomainError

    wave, _first, _second = two_orders

    # when: a scanner's bin, a typed item, and a scanner's wrong item
    scan(warehouse_user, wave, "BIN-MAIN-A-01-01", entry="scan")
    scan(warehouse_user, wave, "4006381333931", entry="typed")
    with pytest.raises(DomainError):
        scan(warehouse_user, wave, "5012345678900", entry="scan")  # plates are in A-01-02

    # then
    rows = list(ScanEvent.objects.order_by("pk").values_list("code", "result", "entry"))
    assert rows == [
        ("BIN-MAIN-A-01-01", "accepted", "scan"),
        ("4006381333931", "accepted", "typed"),
        ("5012345678900", "refused", "scan"),
    ]
    # and the pick screen passes on what the page says
    client.force_login(warehouse_user)
    client.post(
        f"/fulfillment/waves/{wave.pk}/pick/scan/", {"code": "4006381333931", "entry": "scan"}
    )
    assert ScanEvent.objects.order_by("-pk").values_list("entry", flat=True).first() == "scan"
