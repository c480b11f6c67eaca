"""One transaction per unit of work: services called by services share their caller's.

A service is atomic. Called on its own (from a view, a command, a test) it
opens a transaction, or a savepoint inside one already open, so a refusal
leaves the caller's transaction usable. Called by another service it joins
that service's unit of work without a savepoint of its own: a refusal there
rolls the whole unit back, which is what a service that called another one
wants anyway. Plain ``transaction.atomic`` would spend a SAVEPOINT and a
RELEASE on every nested call: ``bench/order_internals.py`` measured 2 more
statements and 1 to 7 ms more CPU per order create + confirm (two runs).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

_in_unit_of_work: ContextVar[bool] = ContextVar("oms_in_unit_of_work", default=False)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run a block, and every service it calls, as one transaction.

    Services called inside share this transaction instead of opening a
    savepoint each: if any of them refuses, the whole unit is rolled back.
    Callbacks queued with on_commit run after the unit, outside it.
    """
    if _in_unit_of_work.get():
        yield
        return
    with transaction.atomic():
        token = _in_unit_of_work.set(True)
        try:
            yield
        finally:
            _in_unit_of_work.reset(token)


def service(func: Callable) -> Callable:
    """Make a service function atomic: its own unit of work, or part of its caller's.

    Called on its own (from a view, a command, a test), a service opens a
    transaction (a savepoint when one is already open, so that a refusal
    leaves the caller's transaction usable). Called by another service it
    runs inside that service's unit of work, without a savepoint of its own.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with unit_of_work():
            return func(*args, **kwargs)

    return wrapper
