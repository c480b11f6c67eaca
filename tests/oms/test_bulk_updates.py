"""Setting columns of many rows by primary key in one statement (history loads)."""

from datetime import UTC, datetime

import pytest

from inventory.models import StockLevel
from oms import bulk_updates
from oms.bulk_updates import update_rows
from tests.factories import ProductFactory


@pytest.fixture
def levels(bin_a, bin_b):
    mug = ProductFactory(sku="MUG")
    return [
        StockLevel.objects.create(product=mug, location=bin_a, on_hand=1),
        StockLevel.objects.create(product=mug, location=bin_b, on_hand=2),
    ]


def test_the_rows_named_get_their_values_and_the_others_keep_theirs(
    levels, django_assert_num_queries
):
    # given
    first, second = levels
    when = datetime(2011, 3, 4, 12, 30, tzinfo=UTC)
    # when
    with django_assert_num_queries(1):
        given = update_rows(StockLevel, ["id", "on_hand", "updated_at"], [(first.pk, 7, when)])
    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert given == 1
    assert (first.on_hand, first.updated_at) == (7, when)
    assert second.on_hand == 2


def test_many_rows_go_in_blocks_and_none_costs_nothing(
    levels, monkeypatch, django_assert_num_queries
):
    # given blocks of one row
    monkeypatch.setattr(bulk_updates, "BLOCK", 1)
    # when / then
    with django_assert_num_queries(2):
        update_rows(StockLevel, ["id", "on_hand"], [(level.pk, 5) for level in levels])
    with django_assert_num_queries(0):
        assert update_rows(StockLevel, ["id", "on_hand"], []) == 0
    assert sorted(StockLevel.objects.values_list("on_hand", flat=True)) == [5, 5]


def test_the_primary_key_comes_first_or_nothing_is_written(levels):
    with pytest.raises(ValueError, match="primary key"):
        update_rows(StockLevel, ["on_hand", "id"], [(9, levels[0].pk)])
    assert sorted(StockLevel.objects.values_list("on_hand", flat=True)) == [1, 2]
