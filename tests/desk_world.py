"""A small business written row by row, so every report figure can be worked out by hand.

Times are in UTC in March 2024. ``build()`` returns the orders by name; the
figures each report should give are written beside the tests that use them.

| order | channel | placed | total | state | shipments (shipped) | notes |
|---|---|---|---|---|---|---|
| O1 | phone | 01 10:00 | 100.00 | delivered | 02 10:00 (24 h) | |
| O2 | web | 01 12:00 | 50.00 | shipped | 01 18:00 (6 h) | |
| O3 | web | 02 09:00 | 30.00 | shipped | 03 09:00, 05 09:00 (72 h) | two shipments |
| O4 | phone | 02 10:00 | 20.00 | cancelled | | |
| O5 | marketplace | 03 08:00 | 80.00 | backordered | | 3 units backordered |
| O6 | web | 03 10:00 | 10.00 | shipped | 08 10:00 (120 h) | late |
| O7 | phone | 01 09:00 | 40.00 | completed | 01 15:00 (6 h) | 1 unit returned |
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from fulfillment.models import Shipment
from inventory.models import Warehouse
from orders.models import Order, OrderEvent, OrderLine
from tests.factories import CustomerFactory, ProductFactory

UTC = datetime.UTC


def at(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2024, 3, day, hour, tzinfo=UTC)


ORDERS = {
    # name: (channel, placed, total, status, shipped moments, backordered, returned)
    "O1": ("phone", at(1, 10), "100.00", "delivered", [at(2, 10)], 0, 0),
    "O2": ("web", at(1, 12), "50.00", "shipped", [at(1, 18)], 0, 0),
    "O3": ("web", at(2, 9), "30.00", "shipped", [at(3, 9), at(5, 9)], 0, 0),
    "O4": ("phone", at(2, 10), "20.00", "cancelled", [], 0, 0),
    "O5": ("marketplace", at(3, 8), "80.00", "backordered", [], 3, 0),
    "O6": ("web", at(3, 10), "10.00", "shipped", [at(8, 10)], 0, 0),
    "O7": ("phone", at(1, 9), "40.00", "completed", [at(1, 15)], 0, 1),
}


def build(*, names=None) -> dict[str, Order]:
    """Write the orders of the table (or those named), each with one line of four units."""
    warehouse = Warehouse.objects.first() or Warehouse.objects.create(code="MAIN", name="Main")
    customers = {
        "phone": CustomerFactory(name="Ann Phone", email="ann@example.com"),
        "web": CustomerFactory(name="Bob Web", email="bob@example.com"),
        "marketplace": CustomerFactory(name="Cy Market", email="cy@example.com"),
    }
    made = {}
    for name, (channel, placed, total, status, shipped, backordered, returned) in ORDERS.items():
        if names is not None and name not in names:
            continue
        total = Decimal(total)
        order = Order.objects.create(
            number=f"SO-{name}",
            channel=channel,
            customer=customers[channel],
            status=status,
            placed_at=placed,
            confirmed_at=placed,
            subtotal=total,
            total=total,
            tax_total=(total / 6).quantize(Decimal("0.01")),
        )
        Order.objects.filter(pk=order.pk).update(created_at=placed)
        OrderLine.objects.create(
            order=order,
            product=ProductFactory(sku=f"SKU-{name}", name=f"Thing of {name}"),
            sku=f"SKU-{name}",
            name=f"Thing of {name}",
            unit_price=total / 4,
            quantity=4,
            quantity_backordered=backordered,
            quantity_shipped=4 if shipped else 0,
            quantity_returned=returned,
            tax_rate=Decimal("0.2000"),
            tax_amount=(total / 6).quantize(Decimal("0.01")),
        )
        if backordered:
            OrderEvent.objects.create(
                order=order, type=OrderEvent.Type.BACKORDERED, to_status="backordered"
            )
        for moment in shipped:
            shipment = Shipment.objects.create(
                order=order, warehouse=warehouse, status="shipped", shipped_at=moment
            )
            Shipment.objects.filter(pk=shipment.pk).update(created_at=placed)
        order.refresh_from_db()
        made[name] = order
    return made
