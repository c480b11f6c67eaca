"""The whole order state machine as a table: every (state, transition) pair."""

import pytest
from django_fsm import can_proceed

from orders.models import Order

S = Order.Status
ALL_STATES = list(S)

ALLOWED = {
    "place": {S.DRAFT: S.PLACED},
    "confirm": {S.PLACED: S.CONFIRMED},
    "mark_allocated": {S.CONFIRMED: S.ALLOCATED, S.BACKORDERED: S.ALLOCATED},
    "mark_backordered": {S.CONFIRMED: S.BACKORDERED, S.ALLOCATED: S.BACKORDERED},
    "start_processing": {S.ALLOCATED: S.PROCESSING, S.BACKORDERED: S.PROCESSING},
    "mark_partially_shipped": {
        S.PROCESSING: S.PARTIALLY_SHIPPED,
        S.ALLOCATED: S.PARTIALLY_SHIPPED,
        S.BACKORDERED: S.PARTIALLY_SHIPPED,
    },
    "mark_shipped": {
        S.PROCESSING: S.SHIPPED,
        S.PARTIALLY_SHIPPED: S.SHIPPED,
        S.ALLOCATED: S.SHIPPED,
    },
    "mark_delivered": {S.SHIPPED: S.DELIVERED},
    "complete": {S.DELIVERED: S.COMPLETED},
    "cancel": {
        state: S.CANCELLED
        for state in [
            S.DRAFT,
            S.PLACED,
            S.CONFIRMED,
            S.ALLOCATED,
            S.BACKORDERED,
            S.PROCESSING,
            S.ON_HOLD,
        ]
    },
    "hold": {
        state: S.ON_HOLD
        for state in [
            S.PLACED,
            S.CONFIRMED,
            S.ALLOCATED,
            S.BACKORDERED,
            S.PROCESSING,
            S.PARTIALLY_SHIPPED,
        ]
    },
}

CASES = [
    (transition, state, ALLOWED[transition].get(state))
    for transition in ALLOWED
    for state in ALL_STATES
]


@pytest.mark.parametrize(
    ("transition", "state", "target"), CASES, ids=[f"{t}-from-{s}" for t, s, _ in CASES]
)
def test_transition_table(transition, state, target):
    # given
    order = Order(status=state)
    method = getattr(order, transition)
    # when
    allowed = can_proceed(method)
    # then
    assert allowed is (target is not None)
    if target is not None:
        method()
        assert order.status == target


@pytest.mark.parametrize("state", [s for s in ALL_STATES if s != S.ON_HOLD])
def test_release_is_only_possible_from_hold(state):
    # given
    order = Order(status=state)
    # then
    assert not can_proceed(order.release)


@pytest.mark.parametrize("state", ALLOWED["hold"].keys())
def test_hold_then_release_returns_to_the_state_it_left(state):
    # given
    order = Order(status=state)
    # when
    order.hold()
    order.release()
    # then
    assert order.status == state
    assert order.status_before_hold == ""


def test_status_cannot_be_written_directly():
    # given
    order = Order(status=S.PLACED)
    # then
    with pytest.raises(AttributeError):
        order.status = S.SHIPPED
