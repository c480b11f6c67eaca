"""One owner per table, checked while the suite runs: an app writes only its own rows.

Every write to a project model (save, create, update, bulk create or update,
delete) made while the tests run is traced back to the code that made it:
the nearest frame in a project app (oms, inventory, orders, fulfillment,
returns), passing over oms's plumbing (transactions, locks, numbers,
bulk-update helper, transitions), which writes on its caller's behalf.
That app must own the model; otherwise the write raises WrongOwner, which
fails the test that caused it. Tests themselves (factories, fixtures) may
write anything.
"""

from __future__ import annotations

import sys

from django.db.models import QuerySet
from django.db.models.signals import pre_delete, pre_save

PROJECT_APPS = {"oms", "inventory", "orders", "fulfillment", "returns"}
# Shared helpers that write for whoever calls them.
PLUMBING = {
    "oms.db",
    "oms.services",
    "oms.transactions",
    "oms.locks",
    "oms.numbers",
    "oms.fsm",
    "oms.append_only",
    "oms.scanlog",
}


class WrongOwner(AssertionError):
    """An app wrote rows of a model another app owns."""


def writer_app(depth: int = 2) -> str | None:
    """Return the project app whose code is writing, or None for tests and outside code."""
    frame = sys._getframe(depth)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        top = module.split(".", 1)[0]
        if top == "tests":
            return None
        if top in PROJECT_APPS and module not in PLUMBING:
            return top
        frame = frame.f_back
    return None


def check(model) -> None:
    """Refuse a write to ``model`` by an app that does not own it."""
    owner = model._meta.app_label
    if owner not in PROJECT_APPS:
        return
    writer = writer_app(depth=3)
    if writer is not None and writer != owner:
        raise WrongOwner(
            f"{writer} wrote {model._meta.label} rows: only {owner} may, through its services."
        )


def _on_signal(sender, **kwargs):
    check(sender)


def _guarded(name: str):
    original = getattr(QuerySet, name)

    def method(self, *args, **kwargs):
        check(self.model)
        return original(self, *args, **kwargs)

    method.__name__ = name
    method.__wrapped__ = original
    return method


GUARDED = ["update", "bulk_create", "bulk_update"]


def install() -> None:
    """Start checking every write (idempotent)."""
    if getattr(QuerySet.update, "__wrapped__", None) is not None:
        return
    for name in GUARDED:
        setattr(QuerySet, name, _guarded(name))
    pre_save.connect(_on_signal, dispatch_uid="tests.ownership.save")
    pre_delete.connect(_on_signal, dispatch_uid="tests.ownership.delete")


def uninstall() -> None:
    """Stop checking."""
    for name in GUARDED:
        wrapped = getattr(getattr(QuerySet, name), "__wrapped__", None)
        if wrapped is not None:
            setattr(QuerySet, name, wrapped)
    pre_save.disconnect(dispatch_uid="tests.ownership.save")
    pre_delete.disconnect(dispatch_uid="tests.ownership.delete")
