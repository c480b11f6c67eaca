"""Every write to returns and refunds (SPEC 3): the rules, under row locks, through the ledger."""

from returns.services.bench import bench_scan
from returns.services.receiving import (
    return_dispose,
    return_disposition_undo,
    return_receipt_undo,
    return_receive,
    return_receiving_finish,
)
from returns.services.refunds import (
    credit_note_lines,
    line_refund_amount,
    refund_approve,
    refund_pay,
    refund_reject,
    refund_request,
)
from returns.services.requests import (
    return_authorize,
    return_cancel,
    return_close,
    return_create,
    return_reject,
    return_request,
    returns_expire,
)

__all__ = [
    "bench_scan",
    "credit_note_lines",
    "line_refund_amount",
    "refund_approve",
    "refund_pay",
    "refund_reject",
    "refund_request",
    "return_authorize",
    "return_cancel",
    "return_close",
    "return_create",
    "return_dispose",
    "return_disposition_undo",
    "return_receipt_undo",
    "return_receive",
    "return_receiving_finish",
    "return_reject",
    "return_request",
    "returns_expire",
]
