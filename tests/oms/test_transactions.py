"""How services share transactions: oms.transactions.service and unit_of_work."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from inventory.models import Supplier
from oms.errors import Conflict
from oms.transactions import _in_unit_of_work, service, unit_of_work


@service
def make_supplier(code: str) -> Supplier:
    return Supplier.objects.create(code=code, name=code)


@service
def make_two_then_refuse() -> None:
    make_supplier("FIRST")
    make_supplier("SECOND")
    raise Conflict("refused after writing")


def test_a_service_called_by_a_service_opens_no_savepoint(db):
    # given
    @service
    def outer():
        make_supplier("INNER")

    # when
    with CaptureQueriesContext(connection) as queries:
        outer()
    # then one savepoint for the outer service (under the test's transaction), none inner
    savepoints = [q["sql"] for q in queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1


def test_a_refusal_rolls_back_everything_the_unit_wrote(db):
    # when
    with pytest.raises(Conflict):
        make_two_then_refuse()
    # then the caller's transaction is still usable, and nothing was kept
    assert Supplier.objects.count() == 0


def test_on_commit_work_runs_outside_the_unit(db, django_capture_on_commit_callbacks):
    # given
    seen = []

    @service
    def queue():
        transaction.on_commit(lambda: seen.append(_in_unit_of_work.get()))

    # when
    with django_capture_on_commit_callbacks(execute=True):
        queue()
    # then the callback ran after the unit closed, so its services open units of their own
    assert seen == [False]


def test_unit_of_work_groups_several_services(db):
    # when
    with pytest.raises(Conflict), unit_of_work():
        make_supplier("ONE")
        raise Conflict("stop")
    # then
    assert not Supplier.objects.filter(code="ONE").exists()
