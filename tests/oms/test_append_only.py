"""Append-only tables (the stock ledger, the scan logs, the order timeline): rows only ever added."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction

from fulfillment.models import ScanEvent
from inventory import services as inventory_services
from inventory.models import StockMovement, StockScan
from oms.append_only import AppendOnlyModel, AppendOnlyQuerySet
from oms.models import BatchDocument
from orders import services as order_services
from orders.models import InvoiceLine, OrderEvent, TrackingLookup
from returns.models import CreditNote, ReturnEvent, ReturnScan
from tests.factories import (
    CustomerFactory,
    LocationFactory,
    ProductFactory,
    UserFactory,
    address_data,
)


def _movement():
    inventory_services.stock_receive(
        product=ProductFactory(), location=LocationFactory(), quantity=3, reference="DN-1"
    )
    return StockMovement, "reference"


def _scan_event():
    ScanEvent.objects.create(screen="pick", result="refused", code="NOPE", message="Unknown code")
    return ScanEvent, "message"


def _stock_scan():
    location = LocationFactory()
    inventory_services.receive_scan(user=UserFactory(roles=["Warehouse"]), code=location.barcode)
    return StockScan, "code"


def _order_event():
    ProductFactory(sku="MUG-RED")
    order_services.order_create(
        customer=CustomerFactory(),
        user=UserFactory(roles=["Sales"]),
        shipping_address=address_data(),
        lines=[{"sku": "MUG-RED", "quantity": 1}],
    )
    return OrderEvent, "note"


def _tracking_lookup():
    TrackingLookup.objects.create(client="192.0.2.1", via="lookup", number="SO-1", outcome="missed")
    return TrackingLookup, "outcome"


def _return_scan():
    ReturnScan.objects.create(screen="returns", result="refused", code="NOPE", message="Unknown")
    return ReturnScan, "message"


def _return_event():
    from tests.returns.test_return_services import return_event_row

    return return_event_row(), "note"


def _credit_note():
    from tests.returns.test_refunds import credit_note_row

    return credit_note_row(), "currency"


def _invoice_line():
    from orders.services.invoices import invoice_issue
    from tests import desk_world

    invoice_issue(order=desk_world.build(names={"O1"})["O1"])
    return InvoiceLine, "description"


def _batch_document():
    import datetime

    from oms.accounting import accounting_batch_create
    from orders.services.invoices import invoices_issue_due
    from tests import desk_world

    desk_world.build(names={"O2"})
    invoices_issue_due()
    today = datetime.date.today()
    accounting_batch_create(
        date_from=today, date_to=today, profile="generic", user=UserFactory(roles=["Manager"])
    )
    return BatchDocument, "number"


MAKERS = {
    ReturnScan: _return_scan,
    ReturnEvent: _return_event,
    CreditNote: _credit_note,
    InvoiceLine: _invoice_line,
    BatchDocument: _batch_document,
    StockMovement: _movement,
    ScanEvent: _scan_event,
    StockScan: _stock_scan,
    OrderEvent: _order_event,
    TrackingLookup: _tracking_lookup,
}


def rows(model) -> list:
    return list(model.objects.order_by("pk").values())


def test_every_append_only_table_is_covered_here():
    # given every concrete model built on the append-only base
    tables = {
        model
        for model in apps.get_models()
        if issubclass(model, AppendOnlyModel) and not model._meta.abstract
    }
    # when / then: each has a maker below and uses the one append-only queryset
    assert tables == set(MAKERS)
    assert all(isinstance(model.objects.all(), AppendOnlyQuerySet) for model in tables)


@pytest.fixture(params=list(MAKERS), ids=lambda model: model.__name__)
def table(request, db):
    """One row in an append-only table, and the name of a text field to try to change."""
    return MAKERS[request.param]()


def test_a_bulk_update_is_refused_and_changes_nothing(table):
    # given
    model, field = table
    before = rows(model)
    # when
    with pytest.raises(ValidationError, match="cannot be changed"):
        model.objects.all().update(**{field: "rewritten"})
    # then
    assert rows(model) == before


def test_a_bulk_update_of_objects_is_refused_and_changes_nothing(table):
    # given
    model, field = table
    before = rows(model)
    objects = list(model.objects.all())
    for row in objects:
        setattr(row, field, "rewritten")
    # when
    with pytest.raises(ValidationError, match="cannot be changed"), transaction.atomic():
        model.objects.bulk_update(objects, [field])
    # then
    assert rows(model) == before


def test_a_bulk_delete_is_refused_and_deletes_nothing(table):
    # given
    model, _ = table
    before = rows(model)
    # when
    with pytest.raises(ValidationError, match="cannot be deleted"):
        model.objects.all().delete()
    # then
    assert rows(model) == before


def test_a_saved_row_cannot_be_changed(table):
    # given
    model, field = table
    before = rows(model)
    row = model.objects.order_by("pk").first()
    setattr(row, field, "rewritten")
    # when
    with pytest.raises(ValidationError, match="cannot be changed"):
        row.save()
    # then
    assert rows(model) == before


def test_a_saved_row_cannot_be_deleted(table):
    # given
    model, _ = table
    before = rows(model)
    # when
    with pytest.raises(ValidationError, match="cannot be deleted"):
        model.objects.order_by("pk").first().delete()
    # then
    assert rows(model) == before


def test_the_refusal_names_the_table(db):
    # given a scan log row
    _scan_event()
    # when
    with pytest.raises(ValidationError) as refused:
        ScanEvent.objects.all().delete()
    # then
    assert refused.value.messages == ["The scan log cannot be deleted: rows are only ever added."]
