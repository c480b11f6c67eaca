"""Importing products: preview, confirm, rejected rows, idempotent re-run, bulk writes."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import Product
from oms.models import Job
from tests.factories import ProductFactory, SupplierFactory
from tests.imports.conftest import last_job

GOOD = (
    "sku,name,price,barcode,weight_grams,supplier,is_active\n"
    "MUG-BLUE,Blue mug,7.50,5901234123457,300,ACME,yes\n"
    "MUG-RED,Red mug (new glaze),9.90,,,,\n"
)
BAD = (
    "sku,name,price,barcode\n"
    "MUG-BLUE,Blue mug,7.50,5901234123457\n"
    "BAD SKU,Spaced,1.00,\n"
    "PLATE,Plate,twelve,\n"
    "BOWL,Bowl,3.00,5901234123458\n"
    "mug-blue,Again,1.00,\n"
)


@pytest.fixture
def acme(db):
    return SupplierFactory(code="ACME")


def test_preview_lists_rows_to_create_and_change_and_writes_nothing(
    client, manager_user, product, acme, upload
):
    # given
    client.force_login(manager_user)
    # when
    response = upload("products", GOOD)
    # then
    job = last_job()
    assert response.status_code == 302 and job.params["dry_run"] is True
    page = client.get(reverse("imports:detail", args=[job.pk]) + "?show=new")
    text = page.content.decode()
    assert "MUG-BLUE" in text and "Blue mug at 7.50" in text
    changed = client.get(reverse("imports:detail", args=[job.pk]) + "?show=update").content
    assert "name: Red mug → Red mug (new glaze)" in changed.decode()
    assert "Import 2 rows" in text
    assert Product.objects.count() == 1
    assert Product.objects.get().name == "Red mug"


def test_confirm_creates_and_changes_products_and_a_rerun_changes_nothing(
    client, manager_user, product, acme, preview_and_confirm
):
    # given
    client.force_login(manager_user)
    # when
    _, job = preview_and_confirm("products", GOOD)
    # then
    assert job.status == Job.Status.DONE and job.params["dry_run"] is False
    blue = Product.objects.get(sku="MUG-BLUE")
    assert (blue.price, blue.barcode, blue.weight_grams, blue.supplier) == (
        Decimal("7.50"),
        "5901234123457",
        300,
        acme,
    )
    product.refresh_from_db()
    assert product.name == "Red mug (new glaze)" and product.barcode == "4006381333931"
    assert job.params["report"]["totals"]["new"] == 1
    assert job.params["report"]["totals"]["update"] == 1
    stamp = Product.objects.order_by("pk").values_list("updated_at", flat=True)
    # when the same file comes again
    _, again = preview_and_confirm("products", GOOD)
    # then nothing new and nothing written
    assert again.params["report"]["totals"] == {
        "new": 0,
        "update": 0,
        "skip": 2,
        "invalid": 0,
        "error": 0,
    }
    assert Product.objects.count() == 2
    assert list(Product.objects.order_by("pk").values_list("updated_at", flat=True)) == list(stamp)


def test_bad_rows_are_listed_with_reasons_and_left_out(client, manager_user, preview_and_confirm):
    # given
    client.force_login(manager_user)
    # when
    preview, job = preview_and_confirm("products", BAD)
    # then the preview lists each rejected row by its line number
    page = client.get(reverse("imports:detail", args=[preview.pk]) + "?show=rejected")
    text = page.content.decode()
    assert "A SKU is at most 64 characters, without spaces." in text
    assert "&#x27;twelve&#x27; is not an amount such as 9.90." in text
    assert "check digit" in text
    assert "SKU mug-blue is already on line 2." in text
    # and the import wrote only the good row, the rejected file names the others
    assert list(Product.objects.values_list("sku", flat=True)) == ["MUG-BLUE"]
    content = b"".join(job.file.open("rb")).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert lines[0].startswith("line,sku,name,price")
    assert [line.split(",")[0] for line in lines[1:]] == ["3", "4", "5", "6"]


def test_a_batch_that_fails_to_write_is_rolled_back_whole(
    client, manager_user, settings, monkeypatch, preview_and_confirm
):
    # given batches of two rows, and the second batch's write failing in the database
    client.force_login(manager_user)
    settings.OMS_IMPORT_BATCH_ROWS = 2
    text = "sku,name,price\nA1,One,1\nA2,Two,2\nA3,Three,3\nA4,Four,4\n"
    from inventory.services import product_imports

    real = product_imports.Product.objects.bulk_create
    calls = []

    def failing(rows, *args, **kwargs):
        calls.append(len(rows))
        if len(calls) == 4:  # dry run: batches 1 and 2; import: batch 1 then batch 2
            raise RuntimeError("disk full")
        return real(rows, *args, **kwargs)

    monkeypatch.setattr(product_imports.Product.objects, "bulk_create", failing)
    # when
    _, job = preview_and_confirm("products", text)
    # then the first batch is in, nothing of the second
    assert sorted(Product.objects.values_list("sku", flat=True)) == ["A1", "A2"]
    assert "nothing of those lines or after them was written" in job.message
    assert job.params["report"]["stopped"]


def test_query_count_of_a_batch_does_not_grow_with_its_rows(
    manager_user, django_assert_max_num_queries
):
    # given
    from oms import imports

    kind = imports.kind_named("products")
    ProductFactory.create_batch(3)
    rows = "".join(f"P{i},Product {i},{i}.00\n" for i in range(200))
    upload = imports.read_rows(kind, "sku,name,price\n" + rows)
    params = {"sha256": "0" * 64, "filename": "p.csv"}
    # when / then: the batch's reads, one bulk write, the savepoints; not a query per row
    with django_assert_max_num_queries(16):
        report = imports.import_run(
            kind=kind, params=params, user=manager_user, dry_run=False, upload=upload
        )
    assert report.totals["new"] == 200
