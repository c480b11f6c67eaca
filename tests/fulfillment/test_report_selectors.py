"""Dashboard figures of the warehouse floor, against values worked out by hand (tests/desk_world.py)."""

import datetime

import pytest
from django.db import connection

from fulfillment import report_selectors as reports
from fulfillment.models import ScanEvent
from orders.report_selectors import Period
from tests import desk_world
from tests.desk_world import at

pytestmark = pytest.mark.django_db
MARCH = Period(start=at(1, 0), end=at(10, 0))
HOURS = datetime.timedelta(hours=1)


def test_time_to_ship_is_the_nearest_rank_median_and_90th_percentile(django_assert_num_queries):
    desk_world.build()
    # shipped in full: O1 24 h, O2 6 h, O3 72 h (last of two), O6 120 h, O7 6 h
    # sorted 6, 6, 24, 72, 120: p50 is the 3rd, p90 the 5th (ceil(0.9 x 5))
    # One aggregate (percentile_disc) on PostgreSQL; a count and a row per rank elsewhere.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 3):
        figure = reports.time_to_ship(MARCH)
    assert (figure.orders, figure.p50, figure.p90) == (5, 24 * HOURS, 120 * HOURS)


def test_time_to_ship_follows_the_channel():
    desk_world.build()
    figure = reports.time_to_ship(Period(start=at(1, 0), end=at(10, 0), channel="phone"))
    assert (figure.orders, figure.p50, figure.p90) == (2, 6 * HOURS, 24 * HOURS)
    assert reports.time_to_ship(Period(start=at(20, 0), end=at(21, 0))).p50 is None


def test_perfect_orders_ship_once_on_time_and_stay_sold(settings):
    settings.OMS_SHIP_TARGET_HOURS = 48
    desk_world.build()
    # of O1, O2, O3, O6, O7: O3 went in two shipments, O6 took 120 h, O7 had a return
    rate = reports.perfect_order_rate(MARCH)
    assert (rate.part, rate.whole, rate.percent) == (2, 5, 40.0)
    settings.OMS_SHIP_TARGET_HOURS = 200  # O6 is on time now
    assert reports.perfect_order_rate(MARCH).part == 3


@pytest.fixture
def clock(monkeypatch):
    """Set the moment the scan log stamps on new rows (it never lets a row change)."""
    from django.utils import timezone

    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_to


def _scan(clock, user, action, moment, quantity=1, **extra):
    clock(moment)
    return ScanEvent.objects.create(
        user=user, screen="pick", action=action, result="accepted", quantity=quantity, **extra
    )


def test_pick_and_pack_rates_count_units_per_active_hour(warehouse_user, manager_user, clock):
    # given: the warehouse user picks 3 units in the 9 o'clock hour and 1 in the 11 o'clock
    for minute in (0, 10, 50):
        _scan(clock, warehouse_user, "pick", at(4, 9) + datetime.timedelta(minutes=minute))
    _scan(clock, warehouse_user, "pick", at(4, 11), quantity=2)
    ScanEvent.objects.create(user=warehouse_user, screen="pick", action="pick", result="refused")
    undone = _scan(clock, warehouse_user, "pick", at(4, 12))
    _scan(clock, warehouse_user, "undo", at(4, 12), undoes=undone)
    # and the manager packs 4 units in one hour
    _scan(clock, manager_user, "pack", at(4, 14), quantity=4)

    # when
    rows = reports.pick_pack_rates(MARCH)

    # then: refused and undone scans do not count; 5 units over 2 active hours
    assert [(r.person, r.screen, r.units, r.scans, r.hours, r.per_hour) for r in rows] == [
        (manager_user.username, "pack", 4, 1, 1, 4.0),
        (warehouse_user.username, "pick", 5, 4, 2, 2.5),
    ]
