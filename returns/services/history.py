"""Returns of the order history: what each C-invoice gave back, written in bulk.

``manage.py import_online_retail`` hands over the C-invoices it read; the rule
matching their lines to earlier orders is ``returns.services.history_matching``.
Each match (the units of one C-invoice on one order) is written as what a
return made through the services leaves behind once it was authorized,
received, restocked and refunded in full, all at the C-invoice's time
(``returns.services.history_rows``):

- the return (``RMA-`` number from its id, source "order history import",
  closed; the C-invoice's number as its external reference, which a second
  run finds), its lines (reason *other*, with a note: the history gives no
  reason), one receipt and one restock disposition per line, and the
  return's timeline;
- its refund (paid back to the original payment, reference
  ``HIST-<C-invoice>``) with a line per return line, and the credit note
  paying it issues, dated the C-invoice's day, net/tax/gross at the order
  lines' tax rates (``credit_note_rows``); a return worth nothing is closed
  with no refund, as the desk closes one;
- through orders' services, the units returned on the order lines and the
  order's timeline; through inventory's, the ledger rows of the receipt into
  the returns bin and of the restock into the bin the goods had left from.

No email goes out: this is history. The rows are written as the other history
services write theirs (``oms.bulk``), in a number of statements that does not
grow with the number of returns; a refusal of orders' or inventory's part
rolls everything back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from inventory.services.history import history_return_ledger
from oms.bulk import insert_rows, reserve_ids
from oms.services import service
from orders.retail import Invoice
from orders.services.history_returns import history_order_returns
from returns.models import (
    CreditNote,
    Disposition,
    Refund,
    RefundLine,
    Return,
    ReturnEvent,
    ReturnLine,
    ReturnReason,
    ReturnReceipt,
)
from returns.reasons import REASONS
from returns.services.history_matching import Planned, Tally, match_credits
from returns.services.history_reading import replay
from returns.services.history_rows import Ids, Rows, Timeline, plan_rows

REASON = "other"  # the history says nothing of why; "other" says so in its note


@dataclass
class HistoryReturns:
    """What the returns step did: returns written, C-invoices seen, every line's outcome."""

    returns: int = 0
    credits: int = 0  # C-invoices that made them
    already: int = 0  # C-invoices whose returns an earlier run wrote
    tally: Tally = field(default_factory=Tally)


def _reason() -> ReturnReason:
    code, name, needs_note = next(row for row in REASONS if row[0] == REASON)
    reason, _ = ReturnReason.objects.get_or_create(
        code=code, defaults={"name": name, "needs_note": needs_note, "position": len(REASONS)}
    )
    return reason


def _insert(model, rows: list[dict]) -> None:
    if rows:
        insert_rows(model, list(rows[0]), (tuple(row.values()) for row in rows))


def _write(plans: Sequence[Planned]) -> None:
    reason = _reason()
    ids, rows, timeline = Ids(plans), Rows(), Timeline()
    for plan in plans:
        plan_rows(plan, ids, rows, timeline, reason)
    # Orders before stock (oms.locks): the orders' part first, then the ledger's.
    history_order_returns(news=timeline.news)
    movements = history_return_ledger(returned=rows.returned)
    for receipt, disposition, (received, restocked) in zip(
        rows.receipts, rows.dispositions, movements, strict=True
    ):
        receipt["movement_id"], disposition["movement_id"] = received, restocked
    _insert(Return, rows.returns)
    _insert(ReturnLine, rows.lines)
    _insert(ReturnReceipt, rows.receipts)
    _insert(Disposition, rows.dispositions)
    event_ids = iter(reserve_ids(ReturnEvent, len(timeline.events)))
    _insert(ReturnEvent, [{"id": next(event_ids), **event} for event in timeline.events])
    _insert(Refund, rows.refunds)
    _insert(RefundLine, rows.refund_lines)
    _insert(CreditNote, rows.notes)


@service
def history_returns(
    *, credits: Sequence[Invoice], invoices: Sequence[Invoice] = ()
) -> HistoryReturns:
    """Write the returns the C-invoices of the history made; count what became of every line.

    ``invoices`` are the other invoices read with them: their times place the
    orders made of them on the credits' clock. A C-invoice whose returns an
    earlier run wrote is left alone (what they hold counts at its time); the
    others are matched (``history_matching``) in time order and written together.
    """
    written = replay(sorted({credit.number for credit in credits}))
    result = HistoryReturns(already=len(written.lines))
    plans = match_credits(list(credits), result.tally, invoices, written)
    if plans:
        _write(plans)
    result.returns = len(plans)
    result.credits = len({plan.credit.number for plan in plans})
    return result
