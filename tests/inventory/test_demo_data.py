"""Demo data from Open Food Facts and Online Retail.

The files in tests/data are cut from the real data sets with their quirks:
openfoodfacts.tsv has 38 rows (26 usable; 5 with an odd length, 5 with a bad
check digit, 2 without a name); online-retail.csv.gz has 47 order lines
(8 cancellations, 9 negative quantities, 14 without CustomerID, 27
customers) over 8 real products, 14 non-product codes and 2 codes that
were never sold at a positive price.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from inventory import demo
from inventory.models import Location, Product, StockLevel, StockMovement, Supplier, Warehouse
from inventory.selectors import ledger_mismatches, low_stock_products
from oms.barcodes import is_valid_gtin
from tests.factories import ProductFactory

SAMPLES = Path(__file__).resolve().parent.parent / "data"
REAL_DATA = demo.default_data_dir()
RETAIL_SKUS = {"85123A", "71053", "22632", "22900", "22423", "84613A", "84406B", "84029G"}


def load(**options) -> str:
    """Run load_demo_data on the sample files and return what it printed."""
    out = StringIO()
    options.setdefault("data_dir", str(SAMPLES))
    options.setdefault("products", "all")
    call_command("load_demo_data", stdout=out, **options)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Supplier, Warehouse, Location, Product, StockLevel, StockMovement)
    }


def test_food_products_are_loaded_with_their_real_barcodes(db):
    # when
    load()

    # then
    food = Product.objects.filter(sku__startswith="OFF-")
    assert food.count() == 26
    assert all(p.barcode == p.sku.removeprefix("OFF-") for p in food)
    assert all(is_valid_gtin(p.barcode) for p in food)
    boursin = Product.objects.get(barcode="3175460030083")
    assert boursin.sku == "OFF-3175460030083"
    assert boursin.name == "Echalote & Ciboulette (40 % MG) 150 g"
    assert boursin.weight_grams == 150
    assert "Brand: Boursin, Bel." in boursin.description
    assert Product.objects.get(barcode="20590215").name.endswith("250 g")  # an EAN-8
    assert boursin.price > 0
    assert boursin.supplier is not None


def test_codes_with_bad_check_digit_or_odd_length_are_skipped_and_counted(db):
    # when
    report = demo.load_demo_data(data_dir=SAMPLES, products=None)

    # then
    food = report.sources[0]
    assert food.facts == {"rows": 38, "usable rows": 26}
    assert food.skipped == {
        "unusual length (not EAN-8, UPC-A or EAN-13)": 5,
        "bad check digit": 5,
        "no product name": 2,
    }
    bad = ["015400892690", "01846803", "0240000115468", "04152939", "228020355741"]
    odd = ["00026700129155", "01115304626", "4132100511", "4159932", "85366013000299"]
    loaded = set(Product.objects.filter(sku__startswith="OFF-").values_list("barcode", flat=True))
    assert len(loaded) == 26
    assert {"3175460030083", "20590215"} <= loaded  # an EAN-13 and an EAN-8 beside them
    assert not Product.objects.filter(barcode__in=bad + odd).exists()
    assert not Product.objects.filter(sku__in=[f"OFF-{code}" for code in bad + odd]).exists()
    assert not Product.objects.filter(sku="OFF-4029261001454").exists()  # no name


def test_non_product_stock_codes_are_skipped_and_counted(db):
    # when
    report = demo.load_demo_data(data_dir=SAMPLES, products=None)
    output = demo.format_report(report)

    # then
    retail = report.sources[1]
    assert set(Product.objects.exclude(sku__startswith="OFF-").values_list("sku", flat=True)) == (
        RETAIL_SKUS
    )
    assert retail.skipped == {
        "not a product: postage, fees, discounts, adjustments": 11,
        "not a product: gift voucher": 1,
        "not a catalogue stock code": 1,
        "never sold at a positive price": 2,
    }
    for code in ["POST", "M", "D", "DOT", "BANK CHARGES", "C2", "CRUK", "AMAZONFEE", "PADS"]:
        assert not Product.objects.filter(sku__iexact=code).exists()
    assert "POST postage (2 lines)" in output
    assert "M manual price correction (2 lines)" in output  # "M" and "m" are one code
    assert "GIFT_0001_20 (1 line)" in output


def test_cancellations_and_negative_lines_make_no_product_and_no_price(db):
    # when
    load()

    # then
    # 85123A sells three times at 2.95 and once at 2.55; three cancellations at 2.55
    # would make 2.55 the most common price if they counted.
    assert str(Product.objects.get(sku="85123A").price) == "2.95"
    # 84613A has a written-off line "thrown away", -230 at 0.00.
    candlestick = Product.objects.get(sku="84613A")
    assert candlestick.name == "PINK NEW BAROQUE FLOCK CANDLESTICK"
    assert str(candlestick.price) == "4.65"
    # 20957 appears only in a cancellation, 21134 only free and without a description.
    assert not Product.objects.filter(sku__in=["20957", "21134"]).exists()
    assert Product.objects.filter(price__lte=0).count() == 0


def test_each_stock_code_gets_its_most_common_description_and_price(db):
    # when
    load()

    # then
    names = dict(Product.objects.filter(sku__in=RETAIL_SKUS).values_list("sku", "name"))
    assert names["85123A"] == "WHITE HANGING HEART T-LIGHT HOLDER"  # not the CREAM variant
    assert names["71053"] == "WHITE METAL LANTERN"
    assert names["22632"] == "HAND WARMER RED RETROSPOT"
    assert names["22900"] == "SET 2 TEA TOWELS I LOVE LONDON"  # stray spaces collapsed
    assert not Product.objects.filter(sku="85123a").exists()  # lower-case spelling merged
    assert str(Product.objects.get(sku="22423").price) == "12.75"
    assert Product.objects.get(sku="22423").barcode is None
    assert {p.supplier.code for p in Product.objects.filter(sku__in=RETAIL_SKUS)} == {"GIFTWARE-UK"}


def test_customer_id_quirks_are_read_without_crashing(db):
    # when
    report = demo.load_demo_data(data_dir=SAMPLES, products=None)

    # then
    facts = report.sources[1].facts
    assert facts["lines"] == 47
    assert facts["cancellation lines"] == 8
    assert facts["negative-quantity lines"] == 9
    assert facts["lines without CustomerID"] == 14
    assert facts["customers"] == 27
    assert "unreadable lines" not in facts
    assert demo.parse_customer_id("17850.0") == "17850"
    assert demo.parse_customer_id("") is None
    assert demo.parse_customer_id("  ") is None


def test_second_run_changes_nothing(db, snapshot):
    # given
    first = load()
    before_counts, before_stock = counts(), snapshot()
    prices = dict(Product.objects.values_list("sku", "price"))

    # when
    second = load()

    # then
    assert counts() == before_counts
    assert snapshot() == before_stock
    assert dict(Product.objects.values_list("sku", "price")) == prices
    assert "(26 new, 0 already there)" in first
    assert "(8 new, 0 already there)" in first
    assert "(0 new, 26 already there)" in second
    assert "(0 new, 8 already there)" in second
    assert "0 opening receipts booked" in second


def test_opening_stock_goes_through_the_ledger_and_leaves_some_low(db):
    # when
    load()

    # then
    assert ledger_mismatches() == []
    receipts = StockMovement.objects.all()
    assert receipts.count() > 0
    assert set(receipts.values_list("kind", flat=True)) == {StockMovement.Kind.RECEIPT}
    assert set(receipts.values_list("reference", flat=True)) == {demo.OPENING_REFERENCE}
    stocked = Product.objects.with_stock()
    assert stocked.filter(total_on_hand=0).exists()
    assert stocked.filter(total_on_hand__gt=0).count() > stocked.count() // 2
    assert low_stock_products().exists()
    assert not StockLevel.objects.filter(product__is_drop_ship=True).exists()


def test_opening_stock_follows_the_plan_seeded_by_sku(db):
    # when
    load()

    # then
    products = list(Product.objects.with_stock())
    planned = {}
    for product in products:
        plan = demo.stock_plan(product.sku)
        expected = 0 if plan.drop_ship else plan.main_quantity + plan.north_quantity
        planned[product.sku] = (expected, plan.reorder_point, plan.drop_ship)
    actual = {p.sku: (p.total_on_hand, p.reorder_point, p.is_drop_ship) for p in products}
    assert len(actual) == 34
    assert actual == planned
    assert sum(on_hand for on_hand, _, _ in actual.values()) > 0


def test_warehouses_and_bins_follow_a_serpentine_walk(db):
    # when
    load()

    # then
    main = Warehouse.objects.get(code="MAIN")
    north = Warehouse.objects.get(code="NORTH")
    assert (main.name, main.priority) == ("Main warehouse", 10)
    assert north.priority > main.priority
    walk = list(main.locations.order_by("pick_sequence").values_list("code", flat=True))
    assert len(walk) == 6 * 10 * 4
    assert walk[:5] == ["A-01-01", "A-01-02", "A-01-03", "A-01-04", "A-02-01"]
    assert walk[40:42] == ["B-10-01", "B-10-02"]  # aisle B is walked back down
    assert walk[79] == "B-01-04"
    assert walk[80] == "C-01-01"
    bin_a = main.locations.get(code="A-01-01")
    assert bin_a.barcode == "BIN-MAIN-A-01-01"


def test_products_option_caps_each_source(db):
    # when
    output = load(products="3")

    # then
    retail = set(Product.objects.exclude(sku__startswith="OFF-").values_list("sku", flat=True))
    assert retail == {"71053", "85123A", "22423"}  # most ordered; ties by stock code
    assert Product.objects.filter(sku__startswith="OFF-").count() == 3
    assert "skipped 5 bad check digit" in output  # the whole file is still checked


def test_data_dir_comes_from_the_environment(db, monkeypatch):
    # given
    monkeypatch.setenv("OMS_DATA_DIR", str(SAMPLES))

    # when
    out = StringIO()
    call_command("load_demo_data", "--products", "all", stdout=out)

    # then
    assert f"Demo data from {SAMPLES}" in out.getvalue()
    assert Product.objects.count() == 34


def test_without_the_shared_data_the_bundled_samples_are_loaded(
    db, settings, tmp_path, monkeypatch
):
    # given
    monkeypatch.delenv("OMS_DATA_DIR", raising=False)
    settings.BASE_DIR = tmp_path / "project"  # no shared/data beside it
    (tmp_path / "project" / "tests").mkdir(parents=True)
    shutil.copytree(SAMPLES, tmp_path / "project" / "tests" / "data")

    # when
    out = StringIO()
    call_command("load_demo_data", stdout=out)

    # then
    assert "loading the small samples" in out.getvalue()
    assert Product.objects.count() == 34


def test_a_folder_without_the_data_sets_is_refused_and_changes_nothing(db, tmp_path, snapshot):
    # given
    before_counts, before_stock = counts(), snapshot()

    # when
    with pytest.raises(CommandError, match="Point --data-dir"):
        load(data_dir=str(tmp_path))

    # then
    assert counts() == before_counts
    assert snapshot() == before_stock


@pytest.mark.parametrize("value", ["0", "-5", "many", "2.5"])
def test_a_bad_products_option_is_refused_and_changes_nothing(db, snapshot, value):
    # given
    before_counts, before_stock = counts(), snapshot()

    # when
    with pytest.raises(CommandError, match="--products must be"):
        load(products=value)

    # then
    assert counts() == before_counts
    assert snapshot() == before_stock


def test_a_barcode_already_in_use_is_not_taken_over(db):
    # given
    mine = ProductFactory(sku="MY-CHEESE", name="Our cheese", barcode="3175460030083")

    # when
    output = load()

    # then
    mine.refresh_from_db()
    assert (mine.sku, mine.name) == ("MY-CHEESE", "Our cheese")
    assert not Product.objects.filter(sku="OFF-3175460030083").exists()
    assert "skipped 1 barcode already used by another product: 3175460030083 (MY-CHEESE)" in (
        output
    )


@pytest.mark.skipif(
    not (REAL_DATA / demo.OFF_FILE).is_file() or not (REAL_DATA / demo.RETAIL_FILE).is_file(),
    reason="the real data sets are not in shared/data",
)
def test_the_real_data_sets_load(db):
    # when
    output = load(data_dir=str(REAL_DATA), products="40")

    # then
    assert Product.objects.filter(sku__startswith="OFF-").count() == 40
    assert Product.objects.exclude(sku__startswith="OFF-").count() == 40
    assert Product.objects.filter(sku="85123A").exists()  # the most ordered stock code
    assert "1,541 rows" in output
    assert "541,909 lines" in output
    assert "skipped 12 bad check digit" in output
    assert "skipped 30 unusual length" in output
    assert "POST postage (1,256 lines)" in output
    assert ledger_mismatches() == []
