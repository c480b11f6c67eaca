"""The phone-order page: find or create the customer, add lines, confirm, without the mouse.

The order being taken lives in the page's form until it is saved, so nothing
typed is lost: every partial (customer search, product search, the lines with
their availability) is answered by htmx from what the form holds now, and a
refused save renders the same form again with each message beside its field.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from inventory import selectors as inventory_selectors
from inventory.models import Product
from oms import tax
from oms.access import staff_view
from oms.barcodes import is_digits
from oms.errors import DomainError, InvalidInput
from oms.services import id_or_none, whole_number
from orders import selectors
from orders.forms import (
    FORMS_INVALID,
    AddressForm,
    NewCustomerForm,
    OrderOptionsForm,
    PaymentForm,
    show_errors,
)
from orders.models import Customer, Order
from orders.services.desk import line_outcome, order_take

MAX_LINES = 200


# Guard a desk view: log in first, then the right to create orders (403), then the method.
_desk = staff_view("orders.add_order")
_desk_post = staff_view("orders.add_order", post=True)


@dataclass
class DeskLine:
    index: int
    sku: str
    quantity: str
    product: Product | None = None
    error_sku: str = ""
    error_quantity: str = ""

    @property
    def qty(self) -> int | None:
        try:
            return whole_number(self.quantity, field="quantity")
        except InvalidInput:
            return None

    @property
    def line_total(self) -> Decimal | None:
        if self.product is None or self.qty is None:
            return None
        return self.product.price * self.qty


def _lines_from(data) -> list[DeskLine]:
    skus = data.getlist("line_sku")[:MAX_LINES]
    quantities = data.getlist("line_qty")
    lines = []
    for index, sku in enumerate(skus):
        quantity = quantities[index] if index < len(quantities) else ""
        lines.append(DeskLine(index=index, sku=sku.strip(), quantity=quantity.strip()))
    return lines


def _attach_products(lines: list[DeskLine]) -> None:
    products = selectors.products_with_stock_by_sku(line.sku for line in lines)
    for line in lines:
        line.product = products.get(line.sku.upper())
        if line.product is None and line.sku:
            line.error_sku = f"There is no product with SKU {line.sku!r}."
        if line.qty is None:
            try:
                whole_number(line.quantity, field="quantity")
            except InvalidInput as error:
                line.error_quantity = error.message


def _money(text: str) -> Decimal:
    try:
        value = Decimal((text or "0").strip() or "0")
    except InvalidOperation:
        return Decimal("0.00")
    return value.quantize(Decimal("0.01")) if value.is_finite() and value >= 0 else Decimal("0")


def _desk_rates(data) -> tax.Rates:
    """Return the tax rates of the order being taken: its destination and its customer."""
    customer_id = id_or_none(data.get("customer-id"))
    exempt = bool(
        customer_id
        and Customer.objects.filter(pk=customer_id).exclude(tax_exempt_reference="").exists()
    )
    country = (data.get("shipping_address-country") or tax.seller_country())[:2]
    return tax.Rates(country=country, on=timezone.localdate(), exempt=exempt)


def _lines_context(lines: list[DeskLine], data) -> dict:
    """Availability, the warning per line, and the totals with their tax, as the page shows them."""
    policy = data.get("ship_policy") or Order.ShipPolicy.PARTIAL
    rates = _desk_rates(data)
    included = tax.prices_include_tax()
    # Several lines of one product draw on the same stock, in line order.
    used: dict[int, int] = {}
    subtotal = tax_total = Decimal("0.00")
    tax_error = ""
    for line in lines:
        line.outcome = None
        if line.product is None:
            continue
        qty = line.qty or 0
        available = line.product.total_available - used.get(line.product.pk, 0)
        used[line.product.pk] = used.get(line.product.pk, 0) + qty
        line.available = line.product.total_available
        line.outcome = line_outcome(
            quantity=qty,
            available=available,
            ship_policy=policy,
            is_drop_ship=line.product.is_drop_ship,
        )
        subtotal += line.line_total or Decimal("0")
        try:
            rate = rates.rate(line.product.tax_class_id)
        except DomainError as error:
            tax_error = error.message
            continue
        line.tax = tax.charge(line.line_total or Decimal("0"), rate, included=included)
        tax_total += line.tax.tax
    shipping = _money(data.get("shipping_price", ""))
    try:
        tax_total += tax.charge(shipping, rates.shipping_rate(), included=included).tax
    except DomainError as error:
        tax_error = error.message
    short = [line for line in lines if line.outcome and line.outcome.level == "short"]
    gross = subtotal + shipping + (Decimal("0") if included else tax_total)
    return {
        "lines": lines,
        "subtotal": subtotal,
        "shipping": shipping,
        "tax_total": tax_total,
        "net_total": gross - tax_total,
        "tax_note": rates.reason,
        "tax_error": tax_error,
        "prices_include_tax": included,
        "total": gross,
        "short_lines": short,
        "ship_policy": policy,
    }


def _forms(data=None, *, customer=None) -> dict:
    address_initial = AddressForm.initial_from(
        customer.default_shipping_address if customer else None
    )
    forms = {
        "customer_form": NewCustomerForm(data, prefix="customer"),
        "address_form": AddressForm(
            data, prefix="shipping_address", initial=address_initial or {"country": "GB"}
        ),
        "options_form": OrderOptionsForm(
            data, initial={"is_vip": customer.is_vip} if customer else None
        ),
        "payment_form": PaymentForm(data, prefix="payment"),
    }
    if data is not None:
        for form in forms.values():
            form.is_valid()
    return forms


def _chosen_customer(data):
    customer_id = id_or_none(data.get("customer-id") or "")
    if customer_id is None:
        return None
    try:
        return selectors.customer_get(customer_id)
    except DomainError:
        return None


@_desk
def order_new(request):
    """Show an empty phone-order page (for a customer when ``?customer=<id>``)."""
    customer = None
    customer_id = id_or_none(request.GET.get("customer") or "")
    if customer_id is not None:
        try:
            customer = selectors.customer_get(customer_id)
        except DomainError as error:
            raise Http404(error.message) from error
    context = {
        **_forms(customer=customer),
        **_lines_context([], {}),
        "customer": customer,
        "errors": [],
    }
    return render(request, "orders/desk.html", context)


@_desk_post
def order_new_submit(request):
    """Save the phone order as a draft, or place and confirm it; refused input stays typed."""
    data = request.POST
    confirm = data.get("action") == "confirm"
    customer = _chosen_customer(data)
    forms = _forms(data)
    lines = _lines_from(data)
    _attach_products(lines)
    errors: list[str] = []
    customer_error = ""
    status = 200
    try:
        if any(form.errors for form in forms.values()):
            raise InvalidInput(FORMS_INVALID)
        order = order_take(
            user=request.user,
            customer=customer,
            new_customer=None if customer else forms["customer_form"].as_service_data(),
            lines=[{"sku": line.sku, "quantity": line.quantity} for line in lines],
            shipping_address=forms["address_form"].as_service_data(),
            payment=forms["payment_form"].as_service_data(),
            confirm=confirm,
            **forms["options_form"].as_service_data(),
        )
    except DomainError as error:
        status = error.status_code
        if "customer.search" in error.errors:
            customer_error = error.errors.pop("customer.search")[0]
        line_errors: dict[int, dict[str, str]] = {}
        errors = show_errors(
            error,
            forms_by_prefix={
                "customer": forms["customer_form"],
                "shipping_address": forms["address_form"],
                "payment": forms["payment_form"],
            },
            main=forms["options_form"],
            line_errors=line_errors,
        )
        for index, messages in line_errors.items():
            if index < len(lines):
                lines[index].error_sku = messages.get("sku", lines[index].error_sku)
                lines[index].error_quantity = messages.get("quantity", lines[index].error_quantity)
        if error.field == "lines" or "lines" in error.errors:
            errors = [m for m in errors if m != error.errors.get("lines", [""])[0]]
            lines_error = error.errors.get("lines", [error.message])[0]
        else:
            lines_error = ""
        if not errors and not customer_error and error.message and not error.errors:
            errors = [error.message]
        context = {
            **forms,
            **_lines_context(lines, data),
            "customer": customer,
            "errors": errors,
            "customer_error": customer_error,
            "lines_error": lines_error,
            "submitted": True,
            "customer_search": data.get("customer-search", ""),
        }
        if request.htmx:
            response = render(request, "orders/_desk_form.html", context)
            response["HX-Retarget"] = "#desk"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "orders/desk.html", context, status=status)
    url = order.get_absolute_url()
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@_desk_post
def order_new_lines(request):
    """Answer the lines table: add a line by SKU, barcode or name; change or remove one."""
    data = request.POST
    lines = _lines_from(data)
    add_error = ""
    added = None
    remove = (data.get("remove") or "").strip()
    if is_digits(remove) and int(remove) < len(lines):
        del lines[int(remove)]
        for index, line in enumerate(lines):
            line.index = index
    if data.get("op") == "add":
        code = (data.get("add_code") or "").strip()
        try:
            quantity = whole_number(data.get("add_qty") or "1", field="add_qty")
            added = _find_product(code)
        except DomainError as error:
            add_error = error.message
        else:
            same = next((line for line in lines if line.sku.upper() == added.sku.upper()), None)
            if same is not None and same.qty is not None:
                same.quantity = str(same.qty + quantity)
            elif len(lines) >= MAX_LINES:
                add_error = f"An order can have at most {MAX_LINES} lines."
            else:
                lines.append(DeskLine(index=len(lines), sku=added.sku, quantity=str(quantity)))
    _attach_products(lines)
    context = {
        **_lines_context(lines, data),
        "add_error": add_error,
        "add_status": "error" if add_error else ("ok" if added else "idle"),
        "added": added,
        "oob": True,
    }
    return render(request, "orders/_desk_lines.html", context)


def _find_product(code: str) -> Product:
    """Return the one product a typed SKU, scanned barcode or name means, or refuse."""
    if not code:
        raise InvalidInput("Type a SKU, a product name, or scan a barcode.", field="add_code")
    product = inventory_selectors.product_find_by_code(code, with_stock=True)
    if product is None:
        matches = selectors.product_search(code, limit=6)
        if len(matches) == 1:
            product = matches[0]
        elif matches:
            raise InvalidInput(
                f"{len(matches)} products match {code!r}: choose one with the arrow keys, "
                f"or type its SKU.",
                field="add_code",
            )
        else:
            raise InvalidInput(
                f"There is no product with SKU, barcode or name {code!r}.",
                field="add_code",
                code="unknown_sku",
            )
    if not product.is_active:
        raise InvalidInput(f"{product.sku} {product.name} is no longer sold.", field="add_code")
    return product


@_desk
def product_suggestions(request):
    """List products matching what is typed in the add-line field, with availability."""
    query = (request.GET.get("add_code") or "").strip()
    products = selectors.product_search(query) if len(query) >= 2 else []
    return render(request, "orders/_desk_products.html", {"products": products, "query": query})


@_desk
def customer_suggestions(request):
    """List customers matching name, email or phone as typed, best match first."""
    query = (request.GET.get("customer-search") or "").strip()
    customers = selectors.customer_search(query) if query else []
    return render(request, "orders/_desk_customers.html", {"customers": customers, "query": query})


@_desk
def customer_choose(request, pk: int):
    """Show the chosen customer, and prefill the address and VIP flag from their record."""
    try:
        customer = selectors.customer_get(pk)
    except DomainError as error:
        raise Http404(error.message) from error
    forms = _forms(customer=customer)
    return render(
        request, "orders/_desk_customer_chosen.html", {"customer": customer, "oob": True, **forms}
    )


@_desk
def customer_new(request):
    """Show the new-customer fields, prefilled from what was typed in the search."""
    typed = (request.GET.get("customer-search") or "").strip()
    initial = {}
    if "@" in typed:
        initial["email"] = typed
    elif typed and sum(ch.isdigit() for ch in typed) >= 5 and not any(c.isalpha() for c in typed):
        initial["phone"] = typed
    elif typed:
        initial["name"] = typed
    form = NewCustomerForm(prefix="customer", initial=initial)
    return render(
        request,
        "orders/_desk_customer_chosen.html",
        {"customer": None, "customer_form": form, "focus_new": True},
    )
