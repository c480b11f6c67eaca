"""A small slice of the Online Retail shape, with C-invoices, and how the tests load it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from inventory.models import StockLevel, StockMovement
from orders.models import Order, OrderEvent, OrderLine
from returns.models import (
    CreditNote,
    Disposition,
    Refund,
    RefundLine,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReceipt,
)

HEADER = "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
HEART, LANTERN, WARMER, STAR = (
    "85123A,WHITE HANGING HEART T-LIGHT HOLDER",
    "71053,WHITE METAL LANTERN",
    "22633,HAND WARMER UNION JACK",
    "21730,GLASS STAR FROSTED T-LIGHT HOLDER",
)
UK, FR = "17850.0,United Kingdom", "12583.0,France"
SLICE = f"""{HEADER}536365,{HEART},6,2010-12-01 08:26:00,2.55,{UK}
536365,{LANTERN},6,2010-12-01 08:26:00,3.39,{UK}
536365,POST,POSTAGE,1,2010-12-01 08:26:00,18.00,{UK}
536366,{WARMER},6,2010-12-01 08:28:00,1.85,,United Kingdom
536367,{HEART},32,2010-12-02 08:34:00,2.40,{FR}
536368,{STAR},4,2010-12-01 09:00:00,4.25,13047.0,United Kingdom
536369,{STAR},2,2010-12-03 09:00:00,4.25,13047.0,United Kingdom
C536379,{HEART},-2,2010-12-10 09:00:00,2.55,{UK}
C536379,{LANTERN},-10,2010-12-10 09:00:00,3.39,{UK}
C536379,POST,POSTAGE,-1,2010-12-10 09:00:00,5.00,{UK}
C536379,M,Manual,-1,2010-12-10 09:00:00,1.00,{UK}
C536380,{WARMER},-1,2010-12-10 10:00:00,1.85,,United Kingdom
C536380,POST,POSTAGE,-1,2010-12-10 10:00:00,3.00,,United Kingdom
C536381,{WARMER},-5,2010-12-10 11:00:00,1.85,{FR}
C536382,BANK CHARGES,Bank Charges,-1,2010-12-10 12:00:00,15.00,{FR}
C536383,{STAR},-5,2010-12-10 13:00:00,4.25,13047.0,United Kingdom
536390,{HEART},3,2010-12-12 09:00:00,2.55,{UK}
C536391,{HEART},-3,2010-12-13 10:00:00,2.55,{UK}
"""


def write(tmp_path, text: str, name: str = "retail.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_online_retail", "--file", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def imported(db, tmp_path):
    """The slice imported: orders delivered, C-invoices made into returns; the report printed."""
    return run(write(tmp_path, SLICE))


def written():
    """Return how many rows every table a return of the history writes holds."""
    models = (Return, ReturnLine, ReturnReceipt, Disposition, ReturnEvent, Refund, RefundLine)
    return [m.objects.count() for m in (*models, CreditNote, StockMovement, OrderEvent)] + [
        sorted(OrderLine.objects.values_list("pk", "quantity_returned")),
        sorted(StockLevel.objects.values_list("product_id", "location_id", "on_hand")),
    ]


def order(reference: str) -> Order:
    return Order.objects.get(external_reference=reference)


def numbered(text: str) -> str:
    """Return text with its document numbers (RMA-, RF-, CN-) made alike."""
    return re.sub(r"\b(RMA|RF|CN)-\d{6}\b", r"\1-N", text)
