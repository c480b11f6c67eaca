"""The pick and pack screens' scan log, on the scan framework of ``oms.scanlog``.

A scan service builds its ``ScanEvent`` with ``log_scan`` and returns it in
its ``ScanAnswer``; ``scan_service`` saves it with the answer, or logs the
refusal (naming the wave or shipment the scan was for) after the rollback.
Every such service also takes ``entry``: how the code arrived (``scan`` from a
scanner or the camera, else typed), written on the row, accepted or refused,
as the receive and count screens do.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable

from fulfillment.models import ScanEvent, Shipment, Wave
from oms import scanlog
from oms.errors import DomainError
from oms.scanlog import ScanAnswer
from oms.services import id_or_none

__all__ = ["ScanAnswer", "log_scan", "scan_service"]


def log_scan(
    *,
    user,
    screen: str,
    code: str,
    accepted: bool,
    message: str,
    action: str = ScanEvent.Action.OTHER,
    **fields,
) -> ScanEvent:
    """Build one row of the scan log; ``scan_service`` saves it with the service's answer."""
    return ScanEvent(
        user=user if getattr(user, "pk", None) else None,
        screen=screen,
        code=(code or "").strip()[: scanlog.MAX_CODE_LENGTH],
        result=ScanEvent.Result.ACCEPTED if accepted else ScanEvent.Result.REFUSED,
        message=message,
        action=action,
        **fields,
    )


def _existing(model, value) -> int | None:
    pk = id_or_none(value)
    return pk if pk is not None and model.objects.filter(pk=pk).exists() else None


def scan_service(screen: str) -> Callable:
    """Make a pick or pack scan service atomic and logged (``oms.scanlog.scan_service``).

    A refusal is logged with the wave or shipment the scan was for, when it
    exists.
    """

    def refused(
        *, error: DomainError, user, code: str = "", entry: str = "", **kwargs
    ) -> ScanEvent:
        return log_scan(
            user=user,
            screen=screen,
            code=code,
            accepted=False,
            message=error.message,
            data={"code": error.code},
            entry=scanlog.entry_kind(entry),
            wave_id=_existing(Wave, kwargs.get("wave_id")),
            shipment_id=_existing(Shipment, kwargs.get("shipment_id")),
        )

    def decorate(func: Callable) -> Callable:
        @functools.wraps(func)
        def with_entry(*, entry: str = "", **kwargs) -> ScanAnswer:
            answer = func(**kwargs)
            if answer.event is not None and answer.event.pk is None:
                answer.event.entry = scanlog.entry_kind(entry)
            return answer

        signature = inspect.signature(func)
        with_entry.__signature__ = signature.replace(
            parameters=[
                *signature.parameters.values(),
                inspect.Parameter("entry", inspect.Parameter.KEYWORD_ONLY, default=""),
            ]
        )
        return scanlog.scan_service(refused=refused)(with_entry)

    return decorate
