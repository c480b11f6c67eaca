"""Several lines of a return at once (the API): receive them, or decide what becomes of them.

Each line names a return line by id (``line``) or by SKU; a SKU on two
lines of the return goes to the first one that still waits. The lines run
as one unit of work through ``return_receive`` and ``return_dispose``: when
one of them is refused, none is written.
"""

from __future__ import annotations

from inventory.models import Location
from oms.errors import InvalidInput, NotFound
from oms.services import id_or_none, service
from returns.models import Return, ReturnLine
from returns.services.receiving import return_dispose, return_receive

MAX_BATCH_LINES = 500


def _return(return_id) -> Return:
    pk = id_or_none(return_id)
    rma = Return.objects.select_related("warehouse").filter(pk=pk).first() if pk else None
    if rma is None:
        raise NotFound("That return does not exist.", code="unknown_return")
    return rma


def _lines(raw_lines) -> list[dict]:
    if not isinstance(raw_lines, list | tuple) or not raw_lines:
        raise InvalidInput("Give at least one line.", field="lines")
    if len(raw_lines) > MAX_BATCH_LINES:
        raise InvalidInput(f"Give at most {MAX_BATCH_LINES} lines at once.", field="lines")
    if not all(isinstance(raw, dict) for raw in raw_lines):
        raise InvalidInput("Each line names an item and a quantity.", field="lines")
    return list(raw_lines)


def _pick(rma: Return, raw: dict, *, where: str, waiting) -> ReturnLine:
    """Return the return line a request line names (by id or SKU); refuse one not on the return."""
    lines = list(rma.lines.select_related("order_line").order_by("pk"))
    if raw.get("line") not in (None, ""):
        pk = id_or_none(raw["line"])
        found = next((line for line in lines if line.pk == pk), None)
        if found is None:
            raise InvalidInput(
                f"That line is not on return {rma}.", field=f"{where}.line", code="not_on_return"
            )
        return found
    sku = str(raw.get("sku") or "").strip().upper()[:64]
    matches = [line for line in lines if line.order_line.sku.upper() == sku]
    if not sku or not matches:
        raise InvalidInput(
            f"{sku or 'That item'} is not on return {rma}.",
            field=f"{where}.sku",
            code="not_on_return",
        )
    return next((line for line in matches if waiting(line) > 0), matches[0])


@service
def return_receive_lines(*, return_id, lines, user=None) -> Return:
    """Receive several lines of a return into its warehouse's returns bin, all or none."""
    rma = _return(return_id)
    for index, raw in enumerate(_lines(lines)):
        line = _pick(rma, raw, where=f"lines[{index}]", waiting=lambda x: x.to_receive)
        return_receive(
            return_id=rma.pk, line_id=line.pk, quantity=raw.get("quantity", 1), user=user
        )
    rma.refresh_from_db()
    return rma


def _bin(rma: Return, value, *, where: str) -> Location | None:
    """Return the bin a line names by code (the return's warehouse first) or id, or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Location.objects.select_related("warehouse").filter(pk=value).first()
    code = str(value or "").strip()[:48]
    if not code:
        return None
    rows = Location.objects.select_related("warehouse").filter(code__iexact=code)
    location = rows.filter(warehouse=rma.warehouse).first() or rows.order_by("pk").first()
    if location is None:
        raise InvalidInput(
            f"There is no bin {code}: scan or type the code on its label.",
            field=f"{where}.location",
            code="unknown_location",
        )
    return location


@service
def return_inspect_lines(*, return_id, lines, user=None) -> Return:
    """Decide what becomes of received units of several lines, all or none.

    Each line: ``disposition`` (restock, scrap, quarantine, replace),
    ``quantity``, ``location`` (the bin for restocked units), ``goods``
    (for a replacement: restock or scrap the returned units) and ``note``.
    """
    rma = _return(return_id)
    for index, raw in enumerate(_lines(lines)):
        where = f"lines[{index}]"
        line = _pick(rma, raw, where=where, waiting=lambda x: x.to_decide)
        return_dispose(
            return_id=rma.pk,
            line_id=line.pk,
            kind=str(raw.get("disposition") or ""),
            quantity=raw.get("quantity", 1),
            location=_bin(rma, raw.get("location"), where=where),
            goods=str(raw.get("goods") or "restock"),
            note=raw.get("note") or "",
            user=user,
        )
    rma.refresh_from_db()
    return rma


def refund_lines_by_sku(*, return_id, lines) -> list[dict]:
    """Return refund lines with each SKU turned into its return line's id (the API names SKUs)."""
    if return_id in (None, "") or not isinstance(lines, list | tuple):
        return lines
    rma = _return(return_id)
    out = []
    for index, raw in enumerate(lines):
        if isinstance(raw, dict) and raw.get("return_line") in (None, "") and raw.get("sku"):
            line = _pick(rma, raw, where=f"lines[{index}]", waiting=lambda x: x.quantity_received)
            raw = {**raw, "return_line": line.pk}
        out.append(raw)
    return out
