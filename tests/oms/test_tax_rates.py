"""Managers keep tax classes and rates; a change of rate is a new row from its day
(``oms.tax_rates``, and the admin pages that call it)."""

import datetime
from decimal import Decimal

import pytest

from oms.errors import Conflict, InvalidInput, NotAllowed
from oms.models import TaxClass, TaxRate
from oms.tax_rates import tax_class_save, tax_rate_add, tax_rate_change

pytestmark = pytest.mark.django_db
D = Decimal
DAY = datetime.date


@pytest.fixture
def standard():
    return TaxClass.objects.get(code="standard")


def _rows(tax_class, country="GB"):
    return list(
        TaxRate.objects.filter(tax_class=tax_class, country=country)
        .order_by("valid_from")
        .values_list("rate", "valid_from", "valid_until")
    )


def test_a_new_rate_closes_the_open_one_the_day_it_starts(standard, manager_user):
    tax_rate_add(
        tax_class=standard,
        country="gb",
        rate="0.225",
        valid_from=DAY(2027, 4, 1),
        user=manager_user,
    )

    assert _rows(standard) == [
        (D("0.1750"), DAY(2010, 1, 1), DAY(2011, 1, 4)),
        (D("0.2000"), DAY(2011, 1, 4), DAY(2027, 4, 1)),
        (D("0.2250"), DAY(2027, 4, 1), None),
    ]


@pytest.mark.parametrize(
    "start, end",
    [
        (DAY(2010, 6, 1), DAY(2010, 7, 1)),  # inside a closed period
        (DAY(2009, 1, 1), None),  # open-ended, starting before the others
        (DAY(2011, 1, 4), None),  # the same start as the open one
    ],
)
def test_an_overlapping_rate_is_refused_and_nothing_changes(standard, manager_user, start, end):
    before = _rows(standard)

    with pytest.raises(Conflict, match="already has a rate for part of that time"):
        tax_rate_add(
            tax_class=standard,
            country="GB",
            rate="0.3",
            valid_from=start,
            valid_until=end,
            user=manager_user,
        )

    assert _rows(standard) == before


@pytest.mark.parametrize(
    "rate, message",
    [("1.5", "from 0 to 1"), ("-0.1", "from 0 to 1"), ("abc", "as a share"), ("0.12345", "four")],
)
def test_a_bad_rate_is_refused_in_plain_words(standard, manager_user, rate, message):
    with pytest.raises(InvalidInput, match=message):
        tax_rate_add(
            tax_class=standard,
            country="FR",
            rate=rate,
            valid_from=DAY(2026, 1, 1),
            user=manager_user,
        )
    assert not TaxRate.objects.filter(country="FR").exists()


def test_a_country_must_be_two_letters_and_an_end_after_the_start(standard, manager_user):
    with pytest.raises(InvalidInput, match="two-letter"):
        tax_rate_add(tax_class=standard, country="FRA", rate="0.2", valid_from=DAY(2026, 1, 1))
    with pytest.raises(InvalidInput, match="ends after"):
        tax_rate_add(
            tax_class=standard,
            country="FR",
            rate="0.2",
            valid_from=DAY(2026, 1, 1),
            valid_until=DAY(2026, 1, 1),
        )


def test_only_managers_keep_rates(standard, sales_user, warehouse_user):
    for user in (sales_user, warehouse_user):
        with pytest.raises(NotAllowed):
            tax_rate_add(
                tax_class=standard, country="FR", rate="0.2", valid_from=DAY(2026, 1, 1), user=user
            )
        with pytest.raises(NotAllowed):
            tax_class_save(tax_class=TaxClass(code="x", name="X"), user=user)


def test_an_end_may_not_run_into_the_next_rate(standard, manager_user):
    closed = TaxRate.objects.get(tax_class=standard, valid_from=DAY(2010, 1, 1))

    with pytest.raises(Conflict, match="must end by then"):
        tax_rate_change(tax_rate=closed, valid_until=None, name="", user=manager_user)
    tax_rate_change(tax_rate=closed, valid_until=DAY(2011, 1, 4), name="Old VAT", user=manager_user)

    closed.refresh_from_db()
    assert (closed.valid_until, closed.name) == (DAY(2011, 1, 4), "Old VAT")


def test_a_class_keeps_its_code(manager_user):
    luxury = tax_class_save(tax_class=TaxClass(code=" Luxury ", name="Luxury"), user=manager_user)
    assert luxury.code == "luxury"

    luxury.code = "lux"
    with pytest.raises(Conflict, match="keeps its code"):
        tax_class_save(tax_class=luxury, user=manager_user)
    with pytest.raises(Conflict, match="already"):
        tax_class_save(tax_class=TaxClass(code="luxury", name="Again"), user=manager_user)


def test_a_manager_adds_a_rate_in_the_admin_and_an_overlap_shows_on_the_form(
    client, manager_user, standard
):
    client.force_login(manager_user)
    form = {"tax_class": standard.pk, "country": "GB", "rate": "0.25", "name": "VAT 25 %"}

    refused = client.post("/admin/oms/taxrate/add/", {**form, "valid_from": "2010-06-01"})
    added = client.post("/admin/oms/taxrate/add/", {**form, "valid_from": "2030-01-01"})

    assert refused.status_code == 200
    assert "already has a rate for part of that time" in refused.content.decode()
    assert added.status_code == 302
    assert _rows(standard)[-1] == (D("0.2500"), DAY(2030, 1, 1), None)
    assert _rows(standard)[-2][2] == DAY(2030, 1, 1)


def test_rates_cannot_be_deleted_or_rewritten_in_the_admin(client, manager_user, standard):
    client.force_login(manager_user)
    rate = TaxRate.objects.get(tax_class=standard, valid_until__isnull=True)

    deleted = client.post(f"/admin/oms/taxrate/{rate.pk}/delete/", {"post": "yes"})
    client.post(
        f"/admin/oms/taxrate/{rate.pk}/change/",
        {"rate": "0.99", "valid_until": "", "name": "Changed name"},
    )

    assert deleted.status_code == 403
    rate.refresh_from_db()
    assert (rate.rate, rate.name) == (D("0.2000"), "Changed name")


def test_the_tax_pages_of_the_admin_are_for_managers(client, sales_user, warehouse_user):
    for user in (sales_user, warehouse_user):
        client.force_login(user)
        assert client.get("/admin/oms/taxrate/").status_code == 403
