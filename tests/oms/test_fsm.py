"""The one transition runner: a refusal in the service's words, a permission check, arguments."""

import pytest

from oms.errors import NotAllowed, TransitionRefused
from oms.fsm import run_transition
from orders.models import Order
from tests.factories import CustomerFactory, UserFactory


def draft():
    return Order(customer=CustomerFactory())


def test_a_transition_the_state_allows_runs(db):
    # given
    order = draft()
    # when
    run_transition(order, "place", refusal="never")
    # then
    assert order.status == Order.Status.PLACED


def test_a_transition_the_state_forbids_is_refused_in_the_words_given(db):
    # given
    order = draft()
    # when / then
    with pytest.raises(TransitionRefused, match="still a draft") as refused:
        run_transition(order, "confirm", refusal=lambda: "The order is still a draft.")
    assert refused.value.code == "illegal_transition"
    assert order.status == Order.Status.DRAFT


def test_a_user_without_the_transitions_permission_is_refused(db, sales_user):
    # given
    order = draft()
    nobody = UserFactory(username="nobody")
    # when / then
    with pytest.raises(NotAllowed, match="may not place"):
        run_transition(order, "place", refusal="x", user=nobody, not_allowed="You may not place.")
    assert order.status == Order.Status.DRAFT
    run_transition(order, "place", refusal="x", user=sales_user, not_allowed="You may not place.")
    assert order.status == Order.Status.PLACED
