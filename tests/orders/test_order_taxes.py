"""Each order keeps the tax of its lines and shipping as placed: rounding, exemption, exports,
rate changes, edits, the invoice and the API (``orders.services``, ``orders.documents``)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from inventory import services as inventory_services
from oms import tax
from oms.errors import Conflict, InvalidInput
from oms.models import TaxClass, TaxRate
from orders import documents, services
from orders.models import Order, OrderLine
from orders.selectors import order_detail
from orders.services.base import set_totals
from tests.documents.reading import page_texts
from tests.factories import CustomerFactory, ProductFactory, address_data

D = Decimal
DAY0 = datetime.date(2000, 1, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def goods(bin_a):
    """Three products of awkward prices and different tax classes, 100 of each in stock."""
    zero = TaxClass.objects.get(code="zero")
    reduced = TaxClass.objects.get(code="reduced")
    made = [
        ProductFactory(sku="CANDLE", price="0.85"),
        ProductFactory(sku="BREAD", price="1.33", tax_class=zero),
        ProductFactory(sku="SEAT", price="7.49", tax_class=reduced),
    ]
    for product in made:
        inventory_services.stock_receive(
            product=product, location=bin_a, quantity=100, reference="PO-T"
        )
    return made


def _order(user, *, customer=None, country="GB", shipping="4.99", place=True, lines=None):
    return services.order_create(
        customer=customer or CustomerFactory(),
        user=user,
        shipping_address=address_data(country=country),
        shipping_price=shipping,
        lines=lines
        or [
            {"sku": "CANDLE", "quantity": 3},
            {"sku": "BREAD", "quantity": 7},
            {"sku": "SEAT", "quantity": 2},
        ],
        place=place,
    )


def test_prices_include_tax_each_line_keeps_its_rate_and_tax(goods, sales_user):
    # when
    order = _order(sales_user)

    # then: 3 x 0.85 = 2.55 at 20 % includes 0.43; 7 x 1.33 zero-rated; 2 x 7.49 at 5 % -> 0.71
    lines = {line.sku: line for line in OrderLine.objects.filter(order=order)}
    assert (lines["CANDLE"].tax_rate, lines["CANDLE"].tax_amount) == (D("0.2"), D("0.43"))
    assert (lines["BREAD"].tax_rate, lines["BREAD"].tax_amount) == (D("0"), D("0.00"))
    assert (lines["SEAT"].tax_rate, lines["SEAT"].tax_amount) == (D("0.05"), D("0.71"))
    order.refresh_from_db()
    # shipping 4.99 at the standard rate includes 0.83
    assert (order.shipping_tax_rate, order.shipping_tax) == (D("0.2"), D("0.83"))
    assert order.tax_total == D("0.43") + D("0.71") + D("0.83")
    assert order.total == D("2.55") + D("9.31") + D("14.98") + D("4.99")
    assert order.prices_include_tax is True


def test_prices_without_tax_add_it_to_the_total(goods, sales_user, settings):
    # given prices are entered without tax
    settings.OMS_PRICES_INCLUDE_TAX = False

    # when
    order = _order(sales_user)

    # then: 2.55 * 20 % = 0.51; 14.98 * 5 % = 0.749 -> 0.75; shipping 4.99 * 20 % = 0.998 -> 1.00
    order.refresh_from_db()
    assert order.prices_include_tax is False
    assert order.tax_total == D("0.51") + D("0.75") + D("1.00")
    assert order.total == order.subtotal + order.shipping_price + order.tax_total
    assert order.subtotal == D("26.84")


def test_the_order_tax_is_the_sum_of_its_lines_and_shipping_whatever_the_prices(bin_a, sales_user):
    # given forty lines of awkward prices
    products = [
        ProductFactory(sku=f"ODD-{n}", price=f"{n}.{(n * 37) % 100:02d}") for n in range(40)
    ]
    for product in products:
        inventory_services.stock_receive(
            product=product, location=bin_a, quantity=50, reference="PO-T"
        )

    # when
    order = _order(
        sales_user,
        lines=[{"sku": p.sku, "quantity": 1 + n % 7} for n, p in enumerate(products)],
        shipping="3.33",
    )

    # then
    order.refresh_from_db()
    line_taxes = sum(OrderLine.objects.filter(order=order).values_list("tax_amount", flat=True))
    assert order.tax_total == line_taxes + order.shipping_tax


def test_an_exempt_customer_pays_no_tax_and_the_invoice_says_why(goods, sales_user):
    customer = CustomerFactory(tax_exempt_reference="EXEMPT-42")

    order = _order(sales_user, customer=customer)

    order.refresh_from_db()
    assert (order.tax_total, order.shipping_tax, order.tax_note) == (D("0"), D("0"), "exempt")
    assert set(OrderLine.objects.filter(order=order).values_list("tax_rate", flat=True)) == {0}
    text = page_texts(documents.invoice_pdf(order_detail(order.pk)))[0]
    assert "EXEMPT-42" in text


def test_an_export_outside_the_seller_country_is_zero_rated(goods, sales_user):
    order = _order(sales_user, country="US")

    order.refresh_from_db()
    assert (order.tax_total, order.tax_note) == (D("0.00"), "export")
    text = page_texts(documents.invoice_pdf(order_detail(order.pk)))[0]
    assert "zero-rated" in text


def test_a_rate_change_after_the_order_was_placed_leaves_it_untouched(goods, sales_user):
    # given an order placed today at 20 %
    order = _order(sales_user)
    order.refresh_from_db()
    before = (order.tax_total, order.total, order.shipping_tax)

    # when the standard rate becomes 22.5 % from tomorrow
    from oms.tax_rates import tax_rate_add

    tax_rate_add(
        tax_class=TaxClass.objects.get(code="standard"),
        country="GB",
        rate="0.225",
        valid_from=timezone.localdate() + datetime.timedelta(days=1),
    )

    # then the order keeps what it was placed with, and its later edits use that day's rates
    order.refresh_from_db()
    assert (order.tax_total, order.total, order.shipping_tax) == before
    edited = services.order_update(order_id=order.pk, user=sales_user, shipping_price="4.99")
    assert edited.shipping_tax_rate == D("0.2")


def test_a_draft_takes_the_rates_of_the_day_it_is_placed(goods, sales_user):
    # given a draft taken while the rate was 20 %
    draft = _order(sales_user, place=False)
    # when the rate changes from today and the draft is placed
    standard = TaxRate.objects.get(tax_class__code="standard", valid_until__isnull=True)
    TaxRate.objects.filter(pk=standard.pk).update(valid_until=timezone.localdate())
    TaxRate.objects.create(
        tax_class=standard.tax_class, country="GB", rate=D("0.25"), valid_from=timezone.localdate()
    )
    placed = services.order_place(order_id=draft.pk, user=sales_user)

    # then
    assert placed.shipping_tax_rate == D("0.25")
    assert OrderLine.objects.get(order=placed, sku="CANDLE").tax_rate == D("0.25")


def test_changing_the_lines_or_the_destination_recomputes_the_tax(goods, sales_user):
    order = _order(sales_user)

    more = services.order_update(
        order_id=order.pk, user=sales_user, lines=[{"sku": "CANDLE", "quantity": 10}]
    )
    assert more.tax_total == D("1.42") + D("0.83")  # 8.50 incl. 20 % -> 1.42

    abroad = services.order_update(
        order_id=order.pk, user=sales_user, shipping_address=address_data(country="NO")
    )
    assert (abroad.tax_total, abroad.tax_note) == (D("0.00"), "export")
    assert OrderLine.objects.get(order=order).tax_amount == D("0.00")


def test_a_class_without_a_rate_refuses_the_order_and_writes_nothing(bin_a, sales_user):
    luxury = TaxClass.objects.create(code="luxury", name="Luxury")
    product = ProductFactory(sku="GOLD", tax_class=luxury)
    inventory_services.stock_receive(product=product, location=bin_a, quantity=5, reference="R")
    before = Order.objects.count()

    with pytest.raises(Conflict, match="no tax rate for Luxury"):
        _order(sales_user, lines=[{"sku": "GOLD", "quantity": 1}])

    assert Order.objects.count() == before


def test_the_invoice_prints_the_breakdown_by_rate_and_the_seller_tax_number(
    goods, sales_user, settings
):
    settings.OMS_SELLER_TAX_NUMBER = "GB 123 4567 89"
    order = _order(sales_user)

    context = documents.invoice_context(order_detail(order.pk))
    text = page_texts(documents.invoice_pdf(order_detail(order.pk)))[0]

    # 20 %: candles 2.55 + shipping 4.99 = 7.54 gross, 1.26 tax; 5 %: 14.98, 0.71; 0 %: 9.31
    assert [
        (row["rate"], row["net"], row["tax"], row["gross"]) for row in context["tax_bases"]
    ] == [
        (D("20"), D("6.28"), D("1.26"), D("7.54")),
        (D("5"), D("14.27"), D("0.71"), D("14.98")),
        (D("0"), D("9.31"), D("0.00"), D("9.31")),
    ]
    assert "TAX BY RATE (PRICES INCLUDE TAX)" in text.upper()
    for expected in ("20 % 6.28 1.26 7.54", "5 % 14.27 0.71 14.98", "0 % 9.31 0.00 9.31"):
        assert expected in text
    assert "VAT number GB 123 4567 89" in text
    assert f"Of which tax {order.tax_total}" in text


def test_the_api_gives_the_tax_of_each_line_and_the_order(goods, sales_user, api_as):
    order = _order(sales_user)

    answer = api_as(sales_user).get(f"/api/v1/orders/{order.pk}/").json()

    assert (answer["tax_total"], answer["shipping_tax"], answer["prices_include_tax"]) == (
        "1.97",
        "0.83",
        True,
    )
    by_sku = {line["sku"]: (line["tax_rate"], line["tax_amount"]) for line in answer["lines"]}
    assert by_sku == {
        "CANDLE": ("0.2000", "0.43"),
        "BREAD": ("0.0000", "0.00"),
        "SEAT": ("0.0500", "0.71"),
    }


def test_an_exemption_reference_is_set_through_the_api_and_bounded(sales_user, api_as):
    customer = CustomerFactory()
    client = api_as(sales_user)

    refused = client.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"tax_exempt_reference": "X" * 51},
        format="json",
    )
    done = client.patch(
        f"/api/v1/customers/{customer.pk}/", {"tax_exempt_reference": "CHARITY-7"}, format="json"
    )

    assert refused.status_code == 400
    assert done.status_code == 200 and done.json()["tax_exempt_reference"] == "CHARITY-7"
    with pytest.raises(InvalidInput, match="50 characters"):
        services.customer_update(
            customer_id=customer.pk, user=sales_user, tax_exempt_reference="Y" * 60
        )
    customer.refresh_from_db()
    assert customer.tax_exempt_reference == "CHARITY-7"


money = st.decimals(min_value=D("0.01"), max_value=D("9999.99"), places=2)


@hypothesis_settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.tuples(
            money, st.integers(1, 1000), st.sampled_from(["standard", "reduced", "zero", "odd"])
        ),
        min_size=1,
        max_size=40,
    ),
    shipping=st.decimals(min_value=D("0"), max_value=D("99.99"), places=2),
    included=st.booleans(),
)
def test_totals_add_up_for_any_lines_prices_quantities_and_rates(
    odd_rate, lines, shipping, included
):
    # given an order's lines of random prices, quantities and tax classes
    classes = dict(TaxClass.objects.values_list("code", "pk"))
    order = Order(shipping_price=shipping, prices_include_tax=included)
    order_lines = [
        OrderLine(product_id=n, unit_price=price, quantity=quantity)
        for n, (price, quantity, _code) in enumerate(lines)
    ]
    tax_classes = {n: classes[code] for n, (_p, _q, code) in enumerate(lines)}

    # when
    set_totals(
        order,
        order_lines,
        rates=tax.Rates(country="GB", on=timezone.localdate()),
        tax_classes=tax_classes,
    )

    # then the order's tax is exactly its lines' and shipping's, and the total follows
    assert order.tax_total == sum(line.tax_amount for line in order_lines) + order.shipping_tax
    goods = sum(line.unit_price * line.quantity for line in order_lines)
    assert order.subtotal == goods
    assert order.total == goods + shipping + (0 if included else order.tax_total)
    for line in order_lines:
        amount = line.unit_price * line.quantity
        exact = amount * line.tax_rate / ((1 + line.tax_rate) if included else 1)
        assert abs(line.tax_amount - exact) <= D("0.005")


@pytest.fixture
def odd_rate():
    """A class at an awkward 7.25 %."""
    odd = TaxClass.objects.create(code="odd", name="Odd")
    TaxRate.objects.create(tax_class=odd, country="GB", rate=D("0.0725"), valid_from=DAY0)
