"""Each dashboard figure about orders, against values worked out by hand on tests/desk_world.py."""

import datetime
from decimal import Decimal

import pytest

from orders import report_selectors as reports
from orders.report_selectors import DayRow, Period
from tests import desk_world
from tests.desk_world import at

pytestmark = pytest.mark.django_db
MARCH = Period(start=at(1, 0), end=at(10, 0))


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


def test_orders_per_day_by_channel_leave_out_cancelled_orders():
    desk_world.build()
    assert reports.orders_per_day(MARCH) == [
        DayRow(datetime.date(2024, 3, 1), "phone", 2, Decimal("140.00")),  # O1 + O7
        DayRow(datetime.date(2024, 3, 1), "web", 1, Decimal("50.00")),  # O2
        DayRow(datetime.date(2024, 3, 2), "web", 1, Decimal("30.00")),  # O3 (O4 cancelled)
        DayRow(datetime.date(2024, 3, 3), "marketplace", 1, Decimal("80.00")),  # O5
        DayRow(datetime.date(2024, 3, 3), "web", 1, Decimal("10.00")),  # O6
    ]


def test_orders_per_day_follow_the_channel_and_the_date_range():
    desk_world.build()
    web_first_two_days = Period(start=at(1, 0), end=at(3, 0), channel="web")
    assert reports.orders_per_day(web_first_two_days) == [
        DayRow(datetime.date(2024, 3, 1), "web", 1, Decimal("50.00")),
        DayRow(datetime.date(2024, 3, 2), "web", 1, Decimal("30.00")),
    ]


def test_days_are_the_shops_local_days(settings):
    # O2 placed 1 March 12:00 UTC is 2 March 01:00 in Auckland (UTC+13)
    settings.TIME_ZONE = "Pacific/Auckland"
    desk_world.build(names={"O2"})
    assert [r.day for r in reports.orders_per_day(MARCH)] == [datetime.date(2024, 3, 2)]


def test_fill_rate_counts_orders_filled_from_the_shelf():
    desk_world.build()
    rate = reports.fill_rate(MARCH)
    # six confirmed orders that were not cancelled; O5 was backordered
    assert (rate.part, rate.whole, rate.percent) == (5, 6, 83.3)


def test_backorders_by_age_bucket_the_waiting_orders():
    desk_world.build()
    # O5, placed 3 March 08:00, waits for 3 units: 7 days old on 10 March 08:00
    rows = reports.backorders_by_age(now=at(10, 8))
    assert [(r.label, r.orders, r.units) for r in rows] == [
        ("0–2 days", 0, 0),
        ("3–7 days", 1, 3),
        ("8–14 days", 0, 0),
        ("15–30 days", 0, 0),
        ("over 30 days", 0, 0),
    ]
    assert reports.backorders_by_age(now=at(11, 9))[2].orders == 1
    assert sum(r.orders for r in reports.backorders_by_age(now=at(11, 9), channel="web")) == 0


def test_an_empty_period_gives_nothing_rather_than_an_error():
    desk_world.build()
    empty = Period(start=at(20, 0), end=at(21, 0))
    assert reports.orders_per_day(empty) == []
    assert reports.fill_rate(empty).percent is None


def test_each_figure_is_one_query_whatever_the_rows(django_assert_num_queries):
    desk_world.build()
    with django_assert_num_queries(3):
        reports.orders_per_day(MARCH)
        reports.fill_rate(MARCH)
        reports.backorders_by_age(now=at(10, 8))
