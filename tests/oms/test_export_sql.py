"""CSV cells written by the database on PostgreSQL: the same bytes as the widgets write."""

import datetime
import zoneinfo

import pytest

from oms import export_sql, exports
from orders.models import Order
from orders.resources.exports import OrderExportResource
from tests import desk_world

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    "strftime, pattern",
    [
        ("%Y-%m-%d %H:%M:%S", "YYYY-MM-DD HH24:MI:SS"),
        ("%d/%m/%Y", "DD/MM/YYYY"),
        ("%Y-%m-%dT%H:%M", 'YYYY-MM-DD"T"HH24:MI'),
    ],
)
def test_strftime_formats_are_written_as_to_char_patterns(strftime, pattern):
    assert export_sql.to_char_format(strftime) == pattern


@pytest.mark.parametrize("strftime", ["%d %b %Y", "%Y-%m-%d %I:%M %p", "Day %d", "%%Y"])
def test_a_format_to_char_would_write_otherwise_stays_in_python(strftime):
    assert export_sql.to_char_format(strftime) is None


@pytest.mark.django_db
def test_the_plan_moves_moments_numbers_and_flags_to_sql_and_keeps_text_as_read():
    # given
    desk_world.build()
    spec = exports.export_get("orders")
    cols = exports.columns(spec)

    # when
    plan = export_sql.plan(spec.queryset({}), cols.attributes, cols.widgets)

    # then: order, placed, status, channel, customer, email, reference, currency, amounts, VIP
    assert plan.kinds == [
        "text", "sql", "text", "text", "text", "text", "text", "text",
        "sql", "sql", "sql", "sql", "sql",
    ]  # fmt: skip
    assert set(plan.annotations) == {
        n for n, k in zip(plan.names, plan.kinds, strict=True) if k == "sql"
    }


@pytest.mark.django_db
def test_summer_and_winter_moments_and_empty_cells_match_the_resource_export():
    # given: one order placed in British summer time, one just after the clocks go back
    desk_world.build()
    summer = datetime.datetime(2024, 7, 1, 23, 30, 15, 999999, tzinfo=datetime.UTC)
    autumn = datetime.datetime(2024, 10, 27, 1, 0, 0, tzinfo=datetime.UTC)
    Order.objects.filter(number="SO-O1").update(placed_at=summer, external_reference="")
    Order.objects.filter(number="SO-O2").update(placed_at=autumn)
    spec = exports.export_get("orders")
    queryset = spec.queryset({})

    # when
    body = b"".join(exports.csv_chunks(spec, queryset)).decode()

    # then: London wall time, seconds truncated, the same bytes as django-import-export's own
    own = OrderExportResource().export(queryset).csv
    assert body.lstrip("\ufeff") == own
    assert f"SO-O1,{summer.astimezone(LONDON):%Y-%m-%d %H:%M:%S}," in body
    assert "SO-O1,2024-07-02 00:30:15," in body
    assert "SO-O2,2024-10-27 01:00:00," in body
