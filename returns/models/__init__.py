"""Returns (RMAs), what comes back and what becomes of it; refunds and their credit notes."""

from returns.models.refunds import CreditNote, CreditNoteQuerySet, Refund, RefundLine
from returns.models.rma import (
    Disposition,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
)
from returns.models.scans import ReturnScan

__all__ = [
    "CreditNote",
    "CreditNoteQuerySet",
    "Disposition",
    "Refund",
    "RefundLine",
    "Return",
    "ReturnEvent",
    "ReturnLine",
    "ReturnReason",
    "ReturnReceipt",
    "ReturnScan",
]
