"""The scan framework: a scan service's row saved with its answer, a refusal logged after rollback."""

import pytest

from fulfillment.models import Carrier, ScanEvent
from oms.errors import Conflict
from oms.scanlog import OK, WARN, ScanAnswer, ScanLog, entry_kind, scan_service


def refused_row(*, error, user=None, code="", **kwargs):
    return ScanEvent(user=user, screen="pick", code=code, data={"code": error.code})


@scan_service(refused=refused_row)
def carrier_scan(*, user=None, code: str = "CMD-DONE", refuse: bool = False) -> ScanAnswer:
    """Add a carrier named after the code, and refuse afterwards when asked to."""
    Carrier.objects.create(code=code[:20], name=code)
    if refuse:
        raise Conflict(f"{code} is refused.", code="refused_here")
    event = ScanEvent(user=user, screen="pick", code=code, action=ScanEvent.Action.BIN)
    return ScanAnswer(WARN, f"{code} is in, but look.", event)


def test_an_accepted_scan_saves_its_row_with_the_answer(warehouse_user):
    # given / when
    answer = carrier_scan(user=warehouse_user, code="A-1")
    # then
    row = ScanEvent.objects.get()
    assert row == answer.event
    assert (row.result, row.status, row.message, row.user) == (
        ScanLog.Result.ACCEPTED,
        WARN,
        "A-1 is in, but look.",
        warehouse_user,
    )
    assert Carrier.objects.filter(code="A-1").exists()


def test_a_refusal_rolls_the_work_back_then_logs_one_refused_row(warehouse_user):
    # given
    # when
    with pytest.raises(Conflict) as refused:
        carrier_scan(user=warehouse_user, code="B-2", refuse=True)
    # then
    assert not Carrier.objects.exists()
    row = ScanEvent.objects.get()
    assert (row.result, row.status, row.message, row.code, row.data) == (
        ScanLog.Result.REFUSED,
        "error",
        "B-2 is refused.",
        "B-2",
        {"code": "refused_here"},
    )
    assert refused.value.scan_event == row


def test_a_refusal_row_is_built_from_the_services_defaults(db):
    # given a call that leaves the code to its default
    # when
    with pytest.raises(Conflict):
        carrier_scan(refuse=True)
    # then
    assert ScanEvent.objects.get().code == "CMD-DONE"


def test_the_answer_of_a_logged_row_is_what_the_screen_showed(warehouse_user):
    # given
    carrier_scan(user=warehouse_user, code="C-3")
    # when
    answer = ScanEvent.objects.get().answer
    # then
    assert (answer.status, answer.message, answer.code) == (WARN, "C-3 is in, but look.", "C-3")


@pytest.mark.parametrize(
    ("posted", "kind"), [("scan", "scan"), ("typed", "typed"), ("", "typed"), (None, "typed")]
)
def test_only_a_screen_that_says_scan_counts_as_a_scan(posted, kind):
    assert entry_kind(posted) == kind


def test_ok_is_the_status_of_a_row_saved_without_an_answer(db):
    # given / when
    row = ScanEvent.objects.create(screen="pick", result="accepted")
    # then
    assert row.status == OK
