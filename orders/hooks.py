"""Explicit extension points of an order, for the apps that build on orders.

Orders imports nothing of the apps to its right (fulfillment, returns), yet
what they hold follows the order: a cancelled order's shipments are
cancelled, a new address reaches the shipments not picked yet, and the order
page shows the shipments with their tracking. Such an app registers an
:class:`OrderHooks` from its ``AppConfig.ready()``; orders calls each hook at
a stated moment:

``cancelled(order, user, reason)``
    inside ``order_cancel``'s transaction, after the order row is locked and
    moved to cancelled, before its allocations are released. The app does
    its own part (cancel its open shipments) through its own services.

``readdressed(order, user)``
    inside ``order_update``'s transaction, after the new shipping address is
    saved on the locked order.

Both may refuse by raising a ``DomainError``: the order's change is then
rolled back whole and the caller gets that refusal. Both run in the lock
order of ``oms.locks`` (the order is locked; the app locks its rows next).
Business decisions about the order stay in orders; a hook decides only
about the app's own rows.

``page_section(order, user)``
    returns a :class:`Section` (a template and its context) for the order
    page, or None; it must cost a constant number of queries.

``customer_section(order, token)``
    returns a :class:`Section` for the customer's status page (``/track/``),
    or None: in the customer's words, with nothing a customer should not
    see (no staff address, no internal note); ``token`` is the link the page
    was opened with, for the app's own forms. Constant queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Section:
    """A block of the order page that another app fills in."""

    template: str
    context: dict = field(default_factory=dict)


@dataclass(frozen=True)
class OrderHooks:
    """What one app does when an order changes, and what it adds to the order page."""

    app: str
    cancelled: Callable | None = None
    readdressed: Callable | None = None
    page_section: Callable | None = None
    customer_section: Callable | None = None


_registered: dict[str, OrderHooks] = {}


def register(hooks: OrderHooks) -> None:
    """Register an app's hooks (from its AppConfig.ready()); registering again replaces them."""
    _registered[hooks.app] = hooks


def registered() -> list[OrderHooks]:
    """Return the registered hooks, in the order the apps registered them."""
    return list(_registered.values())


def run_cancelled(*, order, user, reason: str) -> None:
    """Tell every app an order is being cancelled (inside the cancel's transaction)."""
    for hooks in registered():
        if hooks.cancelled is not None:
            hooks.cancelled(order=order, user=user, reason=reason)


def run_readdressed(*, order, user) -> None:
    """Tell every app an order's shipping address changed (inside the edit's transaction)."""
    for hooks in registered():
        if hooks.readdressed is not None:
            hooks.readdressed(order=order, user=user)


def page_sections(*, order, user) -> list[Section]:
    """Return the other apps' sections of an order's page."""
    sections = []
    for hooks in registered():
        if hooks.page_section is not None:
            section = hooks.page_section(order=order, user=user)
            if section is not None:
                sections.append(section)
    return sections


def customer_sections(*, order, token: str) -> list[Section]:
    """Return the other apps' sections of an order's status page for its customer."""
    sections = []
    for hooks in registered():
        if hooks.customer_section is not None:
            section = hooks.customer_section(order=order, token=token)
            if section is not None:
                sections.append(section)
    return sections
