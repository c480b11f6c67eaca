"""Work out the tax of orders taken before taxes were recorded.

Those orders were priced with tax included, so their totals stay as they are;
each line and the shipping charge get the rate valid on the day the order was
placed (created, for a draft) for its destination, rounded per line half up to
the cent, as ``oms.tax`` does for new orders. Goods sent outside the seller's
country are zero-rated exports.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import migrations
from django.utils import timezone

CENT = Decimal("0.01")
BATCH = 2000


def _included_tax(amount: Decimal, rate: Decimal) -> Decimal:
    return (amount * rate / (1 + rate)).quantize(CENT, ROUND_HALF_UP)


def backfill(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderLine = apps.get_model("orders", "OrderLine")
    TaxRate = apps.get_model("oms", "TaxRate")
    seller = getattr(settings, "OMS_SELLER_COUNTRY", "GB").upper()
    exports_zero = getattr(settings, "OMS_ZERO_RATE_EXPORTS", True)
    shipping_code = getattr(settings, "OMS_SHIPPING_TAX_CLASS", "standard")
    rates = list(
        TaxRate.objects.values_list(
            "tax_class_id", "tax_class__code", "country", "rate", "valid_from", "valid_until"
        )
    )
    if not rates or not Order.objects.exists():
        return
    standard = {code: class_id for class_id, code, *_ in rates}

    def rate_of(class_id, code, country, day):
        if country != seller and exports_zero:
            return Decimal("0")
        if class_id is None:
            class_id = standard.get(code)
        for where in (country, seller):
            for cid, _code, rate_country, rate, start, end in rates:
                if cid == class_id and rate_country == where and start <= day:
                    if end is None or day < end:
                        return rate
        return Decimal("0")

    orders = Order.objects.order_by("pk").values_list(
        "pk", "placed_at", "created_at", "shipping_address__country", "shipping_price"
    )
    last = 0
    while True:
        chunk = list(orders.filter(pk__gt=last)[:BATCH])
        if not chunk:
            break
        last = chunk[-1][0]
        facts = {}
        order_rows = []
        for pk, placed_at, created_at, country, shipping_price in chunk:
            day = timezone.localdate(placed_at or created_at)
            country = (country or seller).upper()
            facts[pk] = (day, country)
            shipping_rate = rate_of(None, shipping_code, country, day)
            order_rows.append(
                Order(
                    pk=pk,
                    shipping_tax_rate=shipping_rate,
                    shipping_tax=_included_tax(shipping_price, shipping_rate),
                    tax_note="" if country == seller or not exports_zero else "export",
                )
            )
        lines = list(
            OrderLine.objects.filter(order_id__in=facts).values_list(
                "pk", "order_id", "product__tax_class_id", "unit_price", "quantity"
            )
        )
        taxes = {row.pk: row.shipping_tax for row in order_rows}
        line_rows = []
        for pk, order_id, class_id, unit_price, quantity in lines:
            day, country = facts[order_id]
            rate = rate_of(class_id, "standard", country, day)
            amount = _included_tax(unit_price * quantity, rate)
            taxes[order_id] += amount
            line_rows.append(OrderLine(pk=pk, tax_rate=rate, tax_amount=amount))
        for row in order_rows:
            row.tax_total = taxes[row.pk]
        Order.objects.bulk_update(
            order_rows, ["shipping_tax_rate", "shipping_tax", "tax_note", "tax_total"]
        )
        OrderLine.objects.bulk_update(line_rows, ["tax_rate", "tax_amount"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0006_order_taxes"),
        ("oms", "0008_seed_tax_rates"),
        ("inventory", "0007_product_tax_class"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
