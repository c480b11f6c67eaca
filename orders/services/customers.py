"""Customers and their addresses."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from oms.errors import Conflict, InvalidInput, NotFound
from oms.services import require_perm, service
from orders.models import Address, Customer

ADDRESS_FIELDS = [
    "name",
    "company",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
]


def address_build(
    data: dict | Address | None, *, field: str, customer: Customer | None
) -> Address | None:
    """Return an unsaved address from typed data, or refuse it with a message per part.

    None (or an empty dict) gives None: no address.
    """
    if data is None or data == {}:
        return None
    if isinstance(data, Address):
        data = {f: getattr(data, f) for f in ADDRESS_FIELDS}
    unknown = set(data) - set(ADDRESS_FIELDS)
    if unknown:
        raise InvalidInput(f"Unknown address field(s): {', '.join(sorted(unknown))}.", field=field)
    errors = {}
    for required, label in [
        ("name", "name"),
        ("line1", "first address line"),
        ("city", "city"),
        ("country", "country"),
    ]:
        if not str(data.get(required) or "").strip():
            errors[f"{field}.{required}"] = [f"Enter the {label}."]
    country = str(data.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        errors[f"{field}.country"] = ["Use the two-letter country code, for example GB."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    clean = {f: str(data.get(f) or "").strip() for f in ADDRESS_FIELDS}
    clean["country"] = country
    for name, value in clean.items():
        limit = Address._meta.get_field(name).max_length
        if len(value) > limit:
            errors[f"{field}.{name}"] = [f"This part can be at most {limit} characters."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors=errors)
    return Address(customer=customer, **clean)


def address_from_data(
    data: dict | Address | None, *, field: str, customer: Customer | None
) -> Address | None:
    """Return a new saved address from typed data (see address_build), or None."""
    address = address_build(data, field=field, customer=customer)
    if address is not None:
        address.save()
    return address


@service
def customer_get_or_create(
    *, email: str = "", name: str = "", phone: str = "", user=None, is_vip: bool = False
) -> Customer:
    """Find a customer by email (case-insensitive), or create one."""
    email = (email or "").strip()
    name = (name or "").strip()
    if email:
        customer = Customer.objects.filter(email__iexact=email).first()
        if customer:
            return customer
    if not name:
        raise InvalidInput("Enter the customer's name.", field="customer.name")
    customer = Customer(name=name, email=email, phone=(phone or "").strip(), is_vip=is_vip)
    if not email:
        customer.save()
        return customer
    # Two first orders from one new customer may arrive together: whoever inserts
    # second keeps the first one's row (ON CONFLICT DO NOTHING, no savepoint).
    Customer.objects.bulk_create([customer], ignore_conflicts=True)
    return Customer.objects.get(email__iexact=email)


CUSTOMER_FIELDS = {
    "name",
    "email",
    "phone",
    "is_vip",
    "notes",
    "tax_exempt_reference",
    "default_shipping_address",
    "default_billing_address",
}


def _customer_fields(customer: Customer, fields: dict) -> None:
    unknown = set(fields) - CUSTOMER_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be set: {', '.join(sorted(unknown))}.")
    for name in ("name", "email", "phone", "notes", "tax_exempt_reference"):
        if name in fields:
            setattr(customer, name, str(fields[name] or "").strip())
    if "is_vip" in fields:
        customer.is_vip = bool(fields["is_vip"])
    if len(customer.tax_exempt_reference) > 50:
        raise InvalidInput(
            "Keep the tax exemption reference to 50 characters.", field="tax_exempt_reference"
        )
    if not customer.name:
        raise InvalidInput("Enter the customer's name.", field="name")
    if (
        customer.email
        and Customer.objects.filter(email__iexact=customer.email).exclude(pk=customer.pk).exists()
    ):
        raise Conflict(
            f"A customer with email {customer.email} already exists.",
            field="email",
            code="duplicate_email",
        )


def _save_customer(customer: Customer, fields: dict) -> Customer:
    try:
        with transaction.atomic():
            customer.save()
    except IntegrityError as error:
        raise Conflict(
            f"A customer with email {customer.email} already exists.",
            field="email",
            code="duplicate_email",
        ) from error
    changed = []
    for name in ("default_shipping_address", "default_billing_address"):
        if fields.get(name):
            setattr(customer, name, address_from_data(fields[name], field=name, customer=customer))
            changed.append(name)
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    return customer


@service
def customer_create(*, user=None, **fields) -> Customer:
    """Create a customer; the email, when given, must not belong to another customer."""
    require_perm(user, "orders.add_customer", "Only sales reps and managers add customers.")
    customer = Customer()
    _customer_fields(customer, fields)
    return _save_customer(customer, fields)


@service
def customer_update(*, customer_id: int, user=None, **fields) -> Customer:
    """Change a customer's details or default addresses (old addresses stay on old orders)."""
    require_perm(user, "orders.change_customer", "Only sales reps and managers edit customers.")
    customer = Customer.objects.select_for_update(of=("self",)).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("That customer does not exist.", code="unknown_customer")
    _customer_fields(customer, fields)
    return _save_customer(customer, fields)
