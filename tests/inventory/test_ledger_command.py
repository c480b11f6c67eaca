"""manage.py check_stock_ledger: on-hand equals the sum of the ledger, or the command says where not."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from inventory import services
from inventory.management.commands.check_stock_ledger import Command
from inventory.models import StockLevel, StockMovement
from inventory.selectors import ledger_mismatches


def run_check():
    out = StringIO()
    call_command("check_stock_ledger", stdout=out)
    return out.getvalue()


def test_check_reports_ok_with_what_it_checked(stocked, bin_a, bin_b, warehouse_user):
    # given 2 stock rows and 3 movements (receipt, transfer out, transfer in)
    services.stock_transfer(
        product=stocked, from_location=bin_a, to_location=bin_b, quantity=4, user=warehouse_user
    )
    # when
    output = run_check()
    # then
    assert "OK" in output
    assert "2 stock row(s) and 3 movement(s)" in output


def test_check_on_an_empty_database_is_ok(db):
    # given
    # when
    output = run_check()
    # then
    assert "OK: 0 stock row(s) and 0 movement(s)" in output


def test_check_lists_a_row_changed_behind_the_ledgers_back(stocked, bin_a, bin_b):
    # given 10 received, then on_hand raised to 12 without a movement
    services.stock_receive(product=stocked, location=bin_b, quantity=3)
    StockLevel.objects.filter(product=stocked, location=bin_a).update(on_hand=12)
    out = StringIO()
    # when
    with pytest.raises(CommandError) as caught:
        call_command("check_stock_ledger", stdout=out)
    # then
    assert caught.value.returncode == 1
    assert "1 stock row(s)" in str(caught.value)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("MISMATCH")]
    assert lines == ["MISMATCH sku=MUG-RED bin=MAIN/A-01-01 on_hand=12 ledger=10"]


def test_check_lists_movements_without_a_stock_row(product, bin_a, bin_b):
    # given a movement written straight to the ledger, and a row edited by hand
    StockMovement.objects.create(
        product=product, location=bin_b, kind="receipt", quantity=5, on_hand_after=5
    )
    services.stock_receive(product=product, location=bin_a, quantity=2)
    StockLevel.objects.filter(product=product, location=bin_a).update(on_hand=0)
    out = StringIO()
    # when
    with pytest.raises(CommandError):
        call_command("check_stock_ledger", stdout=out)
    # then
    assert "MISMATCH sku=MUG-RED bin=MAIN/A-01-01 on_hand=0 ledger=2" in out.getvalue()
    assert "MISMATCH sku=MUG-RED bin=MAIN/A-01-02 on_hand=0 ledger=5" in out.getvalue()
    assert len(ledger_mismatches()) == 2


@pytest.mark.django_db(transaction=True)
def test_check_exits_with_status_one_from_the_command_line(stocked, bin_a, capsys):
    # given
    StockLevel.objects.filter(product=stocked, location=bin_a).update(on_hand=11)
    command = Command()
    # when run the way manage.py runs it
    with pytest.raises(SystemExit) as caught:
        command.run_from_argv(["manage.py", "check_stock_ledger"])
    # then
    assert caught.value.code == 1
    output = capsys.readouterr()
    assert "MISMATCH sku=MUG-RED bin=MAIN/A-01-01 on_hand=11 ledger=10" in output.out
    assert "CommandError" in output.err


@pytest.mark.django_db(transaction=True)
def test_check_exits_with_status_zero_when_all_is_well(stocked, capsys):
    # given
    command = Command()
    # when
    command.run_from_argv(["manage.py", "check_stock_ledger"])
    # then
    assert capsys.readouterr().out.startswith("OK: 1 stock row(s) and 1 movement(s)")
