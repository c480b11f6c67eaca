"""The return's and the refund's state machines as tables: every (state, transition) pair.

SPEC 3: a return goes requested → authorized → partially_received → received →
inspected → closed; rejected from requested; cancelled from requested or
authorized; expired from authorized. Three transitions go back a step, for the
returns bench's undo (a receipt or a decision taken back): ``unreceive``,
``reopen_receiving`` and ``reopen_inspection``. A refund goes pending →
approved → paid; rejected from pending.
"""

import pytest
from django_fsm import can_proceed

from returns.models import Refund, Return

R = Return.Status
RETURN_ALLOWED = {
    "authorize": {R.REQUESTED: R.AUTHORIZED},
    "reject": {R.REQUESTED: R.REJECTED},
    "cancel": {R.REQUESTED: R.CANCELLED, R.AUTHORIZED: R.CANCELLED},
    "expire": {R.AUTHORIZED: R.EXPIRED},
    "receive_part": {
        R.AUTHORIZED: R.PARTIALLY_RECEIVED,
        R.PARTIALLY_RECEIVED: R.PARTIALLY_RECEIVED,
    },
    "receive_all": {R.AUTHORIZED: R.RECEIVED, R.PARTIALLY_RECEIVED: R.RECEIVED},
    "unreceive": {R.PARTIALLY_RECEIVED: R.AUTHORIZED, R.RECEIVED: R.AUTHORIZED},
    "reopen_receiving": {R.RECEIVED: R.PARTIALLY_RECEIVED},
    "mark_inspected": {R.RECEIVED: R.INSPECTED},
    "reopen_inspection": {R.INSPECTED: R.RECEIVED},
    "close": {R.INSPECTED: R.CLOSED},
}
F = Refund.Status
REFUND_ALLOWED = {
    "approve": {F.PENDING: F.APPROVED},
    "reject": {F.PENDING: F.REJECTED},
    "pay": {F.APPROVED: F.PAID},
}

RETURN_CASES = [(t, s, RETURN_ALLOWED[t].get(s)) for t in RETURN_ALLOWED for s in R]
REFUND_CASES = [(t, s, REFUND_ALLOWED[t].get(s)) for t in REFUND_ALLOWED for s in F]


def _check(instance, transition, target):
    method = getattr(instance, transition)
    allowed = can_proceed(method)
    assert allowed is (target is not None)
    if target is not None:
        method()
        assert instance.status == target


@pytest.mark.parametrize(
    ("transition", "state", "target"),
    RETURN_CASES,
    ids=[f"{t}-from-{s}" for t, s, _ in RETURN_CASES],
)
def test_return_transition_table(transition, state, target):
    _check(Return(status=state), transition, target)


@pytest.mark.parametrize(
    ("transition", "state", "target"),
    REFUND_CASES,
    ids=[f"{t}-from-{s}" for t, s, _ in REFUND_CASES],
)
def test_refund_transition_table(transition, state, target):
    _check(Refund(status=state), transition, target)


def test_the_tables_name_every_transition_the_models_have():
    def transitions(model):
        return {t.name for t in model._meta.get_field("status").get_all_transitions(model)}

    assert transitions(Return) == set(RETURN_ALLOWED)
    assert transitions(Refund) == set(REFUND_ALLOWED)


@pytest.mark.parametrize("model", [Return, Refund])
def test_a_status_cannot_be_written_directly(model):
    instance = model()
    with pytest.raises(AttributeError):
        instance.status = "closed"
