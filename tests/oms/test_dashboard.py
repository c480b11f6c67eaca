"""The manager's dashboard: the home page of a manager, filters, tables one click away."""

import csv
import io

import pytest
from django.urls import reverse

from oms import reports
from tests import desk_world

pytestmark = pytest.mark.django_db
MARCH = "date_from=2024-03-01&date_to=2024-03-09"


@pytest.fixture(autouse=True)
def utc(settings):
    settings.TIME_ZONE = "UTC"


def test_a_managers_home_is_the_dashboard_with_every_figure(client, manager_user):
    desk_world.build()
    client.force_login(manager_user)
    page = client.get(reverse("home") + "?" + MARCH).content.decode()
    for name in ("orders_per_day", "time_to_ship", "backorders_by_age", "rates", "pick_pack"):
        assert f'data-figure="{name}"' in page
    assert "6 orders, 310.00 revenue" in page
    assert "p50 24.0 h, p90 120.0 h over 5 orders" in page
    assert "Fill 83.3 % (5 of 6)" in page and "perfect 40.0 % (2 of 5)" in page
    assert "<svg" in page and 'role="img"' in page
    # the returns app registers returns by reason (none in this world)
    assert 'data-figure="returns_by_reason"' in page and "Nothing recorded yet." not in page


def test_the_channel_and_dates_narrow_every_figure(client, manager_user):
    desk_world.build()
    client.force_login(manager_user)
    page = client.get(
        reverse("dashboard") + "?date_from=2024-03-01&date_to=2024-03-01&channel=phone"
    )
    assert "2 orders, 140.00 revenue" in page.content.decode()


def test_a_table_downloads_as_csv_under_the_same_filters(client, manager_user):
    desk_world.build()
    client.force_login(manager_user)
    answer = client.get(reverse("dashboard_table", args=["orders_per_day"]) + "?" + MARCH)
    rows = list(csv.reader(io.StringIO(answer.content.decode())))
    assert rows[0] == ["Day", "Channel", "Orders", "Revenue"]
    assert rows[1] == ["2024-03-01", "phone", "2", "140.00"]
    assert len(rows) == 6
    assert client.get(reverse("dashboard_table", args=["nothing"])).status_code == 404


def test_bad_dates_are_explained_and_the_last_30_days_shown(client, manager_user):
    client.force_login(manager_user)
    page = client.get(reverse("dashboard") + "?date_from=2024-03-09&date_to=2024-03-01")
    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()
    assert (
        client.get(reverse("dashboard") + "?date_from=1900-01-01&date_to=2024-01-01").status_code
        == 200
    )


def test_only_managers_see_the_dashboard(client, sales_user, warehouse_user):
    for user in (sales_user, warehouse_user):
        client.force_login(user)
        assert client.get(reverse("dashboard")).status_code == 403
        assert client.get(reverse("dashboard_table", args=["rates"])).status_code == 403
        assert "data-figure" not in client.get(reverse("home")).content.decode()


def test_a_registered_figure_drops_in_with_its_table(client, manager_user):
    # given: an app registers a figure of its own
    def by_reason(*, start, end, channel):
        return [("Damaged", 3, 4), ("Wrong size", 1, 1)]

    reports.register_figure(
        "claims_by_reason",
        title="Claims by reason",
        columns=("Reason", "Claims", "Units"),
        rows=by_reason,
        permission="orders.view_order",
    )
    try:
        client.force_login(manager_user)
        page = client.get(reverse("dashboard")).content.decode()
        table = client.get(reverse("dashboard_table", args=["claims_by_reason"])).content.decode()
    finally:
        reports.unregister_figure("claims_by_reason")
    assert "Nothing recorded yet." not in page and "4 in all" in page
    assert table.splitlines()[1] == "Damaged,3,4"


def test_the_dashboard_costs_the_same_queries_with_more_orders(
    client, manager_user, django_assert_max_num_queries
):
    desk_world.build()
    client.force_login(manager_user)
    with django_assert_max_num_queries(20):
        client.get(reverse("dashboard") + "?" + MARCH)
