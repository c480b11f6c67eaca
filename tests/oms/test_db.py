import pytest
from django.db import IntegrityError
from django.utils import timezone

from inventory.models import StockLevel
from inventory.services import stock_receive
from oms.db import update_counts
from tests.factories import LocationFactory, ProductFactory


@pytest.fixture
def levels(warehouse):
    product = ProductFactory()
    rows = []
    for _ in range(3):
        location = LocationFactory(warehouse=warehouse)
        stock_receive(product=product, location=location, quantity=10)
        rows.append(StockLevel.objects.get(product=product, location=location))
    return rows


def test_update_counts_writes_each_row_its_own_values(levels):
    # given
    for n, level in enumerate(levels):
        level.allocated = n + 1
    now = timezone.now()
    # when
    updated = update_counts(StockLevel, levels[:2], ["allocated"], touch="updated_at", now=now)
    # then
    assert updated == 2
    rows = {lv.pk: lv for lv in StockLevel.objects.all()}
    assert [rows[lv.pk].allocated for lv in levels] == [1, 2, 0]
    assert rows[levels[0].pk].updated_at == now


def test_update_counts_keeps_the_database_checks(levels):
    # given more allocated than on hand
    levels[0].allocated = 11
    # then
    with pytest.raises(IntegrityError):
        update_counts(StockLevel, levels[:1], ["allocated"])


def test_update_counts_refuses_fields_that_are_not_whole_numbers(levels):
    # then
    with pytest.raises(TypeError, match="integer fields only"):
        update_counts(StockLevel, levels, ["last_counted_at"])
