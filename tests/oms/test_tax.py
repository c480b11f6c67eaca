"""Which rate applies, and how a line's tax is worked out and rounded (``oms.tax``)."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from oms import tax
from oms.errors import Conflict, NotFound
from oms.models import TaxClass, TaxRate

pytestmark = pytest.mark.django_db

D = Decimal


def test_uk_standard_rate_follows_the_day_the_goods_are_sold():
    # given the seeded UK rates (17.5 % until 3 January 2011, 20 % from 4 January 2011)
    standard = TaxClass.objects.get(code="standard")

    # when / then
    assert tax.Rates(country="GB", on=datetime.date(2011, 1, 3)).rate(standard.pk) == D("0.1750")
    assert tax.Rates(country="GB", on=datetime.date(2011, 1, 4)).rate(standard.pk) == D("0.2000")
    assert tax.Rates(country="GB", on=datetime.date(2026, 12, 4)).rate(None) == D("0.2000")


def test_each_class_has_its_own_rate():
    rates = tax.Rates(country="GB", on=datetime.date(2026, 6, 1))
    by_code = dict(TaxClass.objects.values_list("code", "pk"))

    assert rates.rate(by_code["reduced"]) == D("0.0500")
    assert rates.rate(by_code["zero"]) == D("0")
    assert rates.rate(by_code["exempt"]) == D("0")


@pytest.mark.parametrize("setting, expected", [(True, D("0")), (False, D("0.2000"))])
def test_an_export_is_zero_rated_when_the_setting_says_so(settings, setting, expected):
    # given goods sent to France by a UK seller
    settings.OMS_ZERO_RATE_EXPORTS = setting

    # when
    rates = tax.Rates(country="fr", on=datetime.date(2026, 6, 1))

    # then: zero-rated, or the seller's rate when France has none of its own
    assert rates.rate(None) == expected
    assert rates.reason == ("export" if setting else "")


def test_a_destination_with_its_own_rate_uses_it_when_exports_are_taxed(settings):
    # given France has a standard rate of its own
    settings.OMS_ZERO_RATE_EXPORTS = False
    standard = TaxClass.objects.get(code="standard")
    TaxRate.objects.create(
        tax_class=standard, country="FR", rate=D("0.2000"), valid_from=datetime.date(2014, 1, 1)
    )
    TaxRate.objects.create(
        tax_class=standard, country="DE", rate=D("0.1900"), valid_from=datetime.date(2007, 1, 1)
    )

    # then
    assert tax.Rates(country="DE", on=datetime.date(2026, 1, 1)).rate(standard.pk) == D("0.19")


def test_an_exempt_customer_pays_no_tax_and_says_why():
    rates = tax.Rates(country="GB", on=datetime.date(2026, 6, 1), exempt=True)

    assert (rates.rate(None), rates.shipping_rate(), rates.reason) == (D("0"), D("0"), "exempt")


def test_shipping_takes_the_class_the_setting_names(settings):
    settings.OMS_SHIPPING_TAX_CLASS = "reduced"

    assert tax.Rates(country="GB", on=datetime.date(2026, 6, 1)).shipping_rate() == D("0.05")


def test_a_class_without_a_rate_is_refused_in_plain_words():
    # given a class a manager added without any rate
    luxury = TaxClass.objects.create(code="luxury", name="Luxury goods")

    # when / then
    with pytest.raises(Conflict, match="no tax rate for Luxury goods in GB"):
        tax.Rates(country="GB", on=datetime.date(2026, 6, 1)).rate(luxury.pk)


def test_rates_are_read_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        rates = tax.Rates(country="GB", on=datetime.date(2026, 6, 1))
        rates.rate(None)
        rates.shipping_rate()
    with django_assert_num_queries(0):
        tax.Rates(country="US", on=datetime.date(2026, 6, 1)).rate(None)


@pytest.mark.parametrize(
    "amount, rate, included, net, tax_amount, gross",
    [
        # 3 x 0.85 at 20 % included: 2.55 gross, tax 0.425 -> 0.43 (half up)
        (D("2.55"), D("0.20"), True, D("2.12"), D("0.43"), D("2.55")),
        (D("2.55"), D("0.20"), False, D("2.55"), D("0.51"), D("3.06")),
        # 17.5 % of 0.10 net is 0.0175 -> 0.02
        (D("0.10"), D("0.175"), False, D("0.10"), D("0.02"), D("0.12")),
        (D("9.99"), D("0.05"), True, D("9.51"), D("0.48"), D("9.99")),
        (D("12.50"), D("0"), True, D("12.50"), D("0.00"), D("12.50")),
    ],
)
def test_a_line_splits_into_net_tax_and_gross(amount, rate, included, net, tax_amount, gross):
    charge = tax.charge(amount, rate, included=included)

    assert (charge.net, charge.tax, charge.gross) == (net, tax_amount, gross)


def test_an_unknown_or_inactive_tax_class_code_is_refused_naming_the_classes():
    TaxClass.objects.filter(code="exempt").update(is_active=False)

    assert tax.tax_class_get("Reduced").code == "reduced"
    with pytest.raises(NotFound, match="no tax class 'exempt'; the classes are: reduced"):
        tax.tax_class_get("exempt")


money = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
rates = st.sampled_from([D("0"), D("0.05"), D("0.175"), D("0.20"), D("0.0725"), D("0.21")])


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(st.tuples(money, st.integers(1, 500), rates), min_size=1, max_size=30),
    included=st.booleans(),
)
def test_net_plus_tax_is_gross_on_every_line_and_in_total(lines, included):
    charges = [tax.charge(price * qty, rate, included=included) for price, qty, rate in lines]

    for (price, qty, rate), charge in zip(lines, charges, strict=True):
        assert charge.net + charge.tax == charge.gross
        assert charge.tax >= 0 and charge.net >= 0
        # each line is within half a cent of the exact figure
        exact = price * qty * rate / (1 + rate) if included else price * qty * rate
        assert abs(charge.tax - exact) <= D("0.005")
        assert (charge.gross if included else charge.net) == price * qty
    assert sum(c.net for c in charges) + sum(c.tax for c in charges) == sum(
        c.gross for c in charges
    )
