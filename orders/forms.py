"""Forms for the sales desk pages.

Forms only carry what was typed and show messages beside the fields; the
rules (what is required, what is allowed now) live in orders.services, whose
errors are put back on these forms by ``show_errors``.
"""

from __future__ import annotations

import re

from django import forms

from oms.errors import DomainError
from oms.services import MAX_ID, MAX_TEXT
from orders import shipping
from orders.models import Order, Payment
from orders.selectors import OrderFilters


class StyledForm(forms.Form):
    """A form whose widgets carry Bootstrap classes and name their error text for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            widget.attrs.setdefault("aria-describedby", f"{self.add_prefix(name)}-error")

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs["class"]:
                    widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class AddressForm(StyledForm):
    name = forms.CharField(label="Name", required=False, max_length=200)
    company = forms.CharField(label="Company", required=False, max_length=200)
    line1 = forms.CharField(label="Address line 1", required=False, max_length=200)
    line2 = forms.CharField(label="Address line 2", required=False, max_length=200)
    city = forms.CharField(label="City", required=False, max_length=100)
    region = forms.CharField(label="County / region", required=False, max_length=100)
    postal_code = forms.CharField(label="Postcode", required=False, max_length=20)
    country = forms.CharField(
        label="Country",
        required=False,
        initial="GB",
        help_text="Two letters, e.g. GB",
        widget=forms.TextInput(attrs={"size": 3, "maxlength": 2, "autocapitalize": "characters"}),
    )
    phone = forms.CharField(label="Phone on the parcel", required=False, max_length=40)

    def as_service_data(self) -> dict | None:
        """Return the typed address, or None when nothing but the country was typed."""
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}
        if not any(value for key, value in data.items() if key != "country"):
            return None
        return data

    @classmethod
    def initial_from(cls, address) -> dict:
        if address is None:
            return {}
        return {name: getattr(address, name) for name in cls.base_fields}


class NewCustomerForm(StyledForm):
    name = forms.CharField(label="Name", required=False, max_length=200)
    email = forms.CharField(
        label="Email", required=False, max_length=254, widget=forms.EmailInput()
    )
    phone = forms.CharField(
        label="Phone", required=False, max_length=40, widget=forms.TextInput(attrs={"type": "tel"})
    )

    def as_service_data(self) -> dict:
        return {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}


class PaymentForm(StyledForm):
    method = forms.ChoiceField(
        label="Payment method",
        required=False,
        choices=[("", "No payment now"), *Payment.Method.choices],
    )
    amount = forms.CharField(
        label="Amount",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "the order total"}),
    )
    reference = forms.CharField(
        label="Reference", required=False, max_length=100, help_text="Card slip or transfer ref."
    )

    def as_service_data(self) -> dict | None:
        data = {name: (self.cleaned_data.get(name) or "").strip() for name in self.fields}
        if not data["method"]:
            return None
        return {k: v for k, v in data.items() if v}


def shipping_method_choices(options, current: str = "") -> list[tuple[str, str]]:
    """Return the offered services as choices; an order's own method stays, even if withdrawn."""
    choices = [("", "Choose…")] + [
        (option.code, f"{option.label} · {option.price}") for option in options
    ]
    codes = {option.code.lower() for option in options}
    if current and current.lower() not in codes:
        choices.append((current, f"{current} (no longer offered)"))
    return choices


class OrderOptionsForm(StyledForm):
    """Shipping method and price, ship policy, VIP flag and notes."""

    shipping_method = forms.ChoiceField(label="Shipping method", required=False)
    shipping_price = forms.CharField(
        label="Shipping price",
        required=False,
        max_length=20,
        initial="0.00",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    ship_policy = forms.ChoiceField(
        label="When stock is short",
        choices=Order.ShipPolicy.choices,
        initial=Order.ShipPolicy.PARTIAL,
    )
    is_vip = forms.BooleanField(label="VIP / special order", required=False)
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, fields=None, current_method: str = "", options=None, **kwargs):
        """Offer only ``fields`` (all when None): the ones the order's state lets change.

        The shipping methods are the services offered now, plus ``current_method``
        (the order's own) when it is no longer offered; ``options`` when the caller
        has read them already.
        """
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in [name for name in self.fields if name not in fields]:
                del self.fields[name]
        if "shipping_method" in self.fields:
            field = self.fields["shipping_method"]
            options = shipping.offered() if options is None else options
            field.choices = shipping_method_choices(options, current_method)
            for option in options:
                field.widget.attrs[f"data-price-{option.code}"] = str(option.price)

    def as_service_data(self) -> dict:
        """Return the offered fields as the order services take them."""
        data = {name: self.cleaned_data.get(name) for name in self.fields}
        if "shipping_price" in data:
            data["shipping_price"] = (data["shipping_price"] or "").strip() or "0.00"
        return data


class ReasonForm(StyledForm):
    reason = forms.CharField(label="Reason", required=False, max_length=500)


class OrderFilterForm(StyledForm):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Number, customer, email, phone, reference"}
        ),
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Any status"), *Order.Status.choices]
    )
    channel = forms.ChoiceField(
        label="Channel", required=False, choices=[("", "Any channel"), *Order.Channel.choices]
    )
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    customer = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, widget=forms.HiddenInput()
    )
    vip = forms.ChoiceField(
        label="VIP", required=False, choices=[("", "All"), ("yes", "VIP only"), ("no", "Not VIP")]
    )
    backordered = forms.ChoiceField(
        label="Backorders",
        required=False,
        choices=[("", "All"), ("yes", "With backorders"), ("no", "Without backorders")],
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def order_filters_from(params) -> OrderFilters:
    """Read the order list's query string as its filters (a filter it cannot read is ignored).

    The order list and its exports both read their filters here, so a file
    holds exactly the rows the page shows.
    """
    form = OrderFilterForm(params or None)
    data = form.cleaned_data if form.is_valid() else {}
    return OrderFilters(
        search=data.get("q") or "",
        status=data.get("status") or "",
        channel=data.get("channel") or "",
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        customer_id=data.get("customer"),
        vip=_yes_no(data.get("vip")),
        backordered=_yes_no(data.get("backordered")),
    )


class CustomerFilterForm(StyledForm):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name, email or phone"}),
    )
    vip = forms.ChoiceField(
        label="VIP", required=False, choices=[("", "All"), ("yes", "VIP only"), ("no", "Not VIP")]
    )


FORMS_INVALID = "Check the fields marked below: nothing you typed was lost."


_LINE_KEY = re.compile(r"^lines\[(\d+)\]\.(\w+)$")


def show_errors(
    error: DomainError,
    *,
    forms_by_prefix: dict[str, forms.Form],
    main: forms.Form | None = None,
    line_errors: dict[int, dict[str, str]] | None = None,
) -> list[str]:
    """Put a service's error messages beside the fields they name; return the rest.

    ``customer.name`` goes to the form with prefix ``customer``; ``lines[2].quantity``
    goes to ``line_errors[2]["quantity"]``; anything else comes back as page-level text.
    """
    general: list[str] = []
    errors = error.errors or {"__all__": [error.message]}
    for key, messages in errors.items():
        message = messages[0] if messages else error.message
        line = _LINE_KEY.match(key)
        if line and line_errors is not None:
            line_errors.setdefault(int(line.group(1)), {})[line.group(2)] = message
            continue
        prefix, _, name = key.partition(".")
        form = forms_by_prefix.get(prefix)
        if form is not None and name in form.fields:
            form.add_error(name, message)
            continue
        if main is not None and key in main.fields:
            main.add_error(key, message)
            continue
        if message not in general:
            general.append(message)
    return general
