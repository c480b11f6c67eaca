"""The warehouse's configuration: carriers, their shipping services and the package types.

Managers keep these in the admin. Nothing in use is ever deleted: an entry
is deactivated and stops being offered (a carrier's services with it: the
desk, the API and the ship form offer only active services of active
carriers), while what already names it keeps it. A code is how orders and
carriers' systems name an entry, so once something uses it, it cannot change:
deactivate it and add a new one instead.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from fulfillment.models import Carrier, PackageType, Shipment, ShippingMethod
from oms.errors import InvalidInput
from oms.services import MAX_MONEY, full_clean_or_raise, require_perm, service
from orders.models import Order

CARRIER_FIELDS = {"code", "name", "tracking_url_template", "is_local_courier", "is_active"}
METHOD_FIELDS = {"carrier", "code", "name", "price", "is_active"}
PACKAGE_FIELDS = {"name", "length_mm", "width_mm", "height_mm", "tare_grams", "is_active"}
# The largest box side and empty weight a packer can handle (5 m, 1 t): a typo, not a box.
MAX_MILLIMETRES = 5000
MAX_TARE_GRAMS = 1_000_000
CONFIGURE = "Only managers configure carriers, shipping services and package types."


def _unknown(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise InvalidInput(f"These fields cannot be set: {', '.join(sorted(unknown))}.")


def _code(value, *, label: str, max_length: int) -> str:
    code = str(value or "").strip()
    if not code:
        raise InvalidInput(f"Give the {label} a code.", field="code")
    if len(code) > max_length or any(ch.isspace() for ch in code):
        raise InvalidInput(
            f"A {label} code is one word of at most {max_length} characters.", field="code"
        )
    return code


def _unique_code(model, code: str, instance, *, label: str) -> None:
    taken = model.objects.filter(code__iexact=code)
    if instance.pk:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise InvalidInput(f"Another {label} has the code {code!r}.", field="code")


def _keep_code_in_use(instance, code: str, in_use: bool, *, label: str) -> None:
    if instance.pk and code != instance.code and in_use:
        raise InvalidInput(
            f"The {label} {instance.code!r} is in use, so its code cannot change: deactivate it "
            f"and add a new {label} instead.",
            field="code",
        )


def _apply(instance: models.Model, fields: dict) -> models.Model:
    for name, value in fields.items():
        setattr(instance, name, value)
    full_clean_or_raise(instance)
    instance.save()
    return instance


def carrier_check(*, carrier: Carrier | None = None, **fields) -> dict:
    """Return the carrier's fields checked, or refuse the first bad one in words."""
    _unknown(fields, CARRIER_FIELDS)
    carrier = carrier or Carrier()
    if "code" in fields:
        code = _code(fields["code"], label="carrier", max_length=20).upper()
        in_use = carrier.pk and Shipment.objects.filter(carrier=carrier).exists()
        _keep_code_in_use(carrier, code, bool(in_use), label="carrier")
        _unique_code(Carrier, code, carrier, label="carrier")
        fields["code"] = code
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput("Give the carrier a name.", field="name")
    template = str(fields.get("tracking_url_template") or "").strip()
    if template and (
        "{tracking}" not in template or not template.startswith(("https://", "http://"))
    ):
        raise InvalidInput(
            "A tracking page is a web address with {tracking} where the number goes, for "
            "example https://track.example.com/{tracking}.",
            field="tracking_url_template",
        )
    if "tracking_url_template" in fields:
        fields["tracking_url_template"] = template
    return fields


@service
def carrier_save(*, user, carrier: Carrier | None = None, **fields) -> Carrier:
    """Add a carrier, or change one; deactivating it withdraws its services from sale."""
    require_perm(
        user, "fulfillment.change_carrier" if carrier else "fulfillment.add_carrier", CONFIGURE
    )
    fields = carrier_check(carrier=carrier, **fields)
    return _apply(carrier or Carrier(), fields)


def shipping_method_check(*, method: ShippingMethod | None = None, **fields) -> dict:
    """Return the service's fields checked, or refuse the first bad one in words."""
    _unknown(fields, METHOD_FIELDS)
    method = method or ShippingMethod()
    if "code" in fields:
        code = _code(fields["code"], label="shipping service", max_length=50).lower()
        in_use = method.pk and (
            Shipment.objects.filter(shipping_method=method).exists()
            or Order.objects.filter(shipping_method__iexact=method.code).exists()
        )
        _keep_code_in_use(method, code, bool(in_use), label="shipping service")
        _unique_code(ShippingMethod, code, method, label="shipping service")
        fields["code"] = code
    if "carrier" in fields and fields["carrier"] is None:
        raise InvalidInput("Choose the carrier that runs this service.", field="carrier")
    if "name" in fields:
        fields["name"] = str(fields["name"] or "").strip()
        if not fields["name"]:
            raise InvalidInput("Give the service a name, for example Next day.", field="name")
    if "price" in fields:
        price = fields["price"]
        if price is None or not isinstance(price, Decimal) or not price.is_finite():
            raise InvalidInput("The price must be an amount such as 3.95.", field="price")
        if price < 0 or price > MAX_MONEY or price != price.quantize(Decimal("0.01")):
            raise InvalidInput(
                f"The price is an amount from 0.00 to {MAX_MONEY:,} with two decimals.",
                field="price",
            )
    return fields


@service
def shipping_method_save(*, user, method: ShippingMethod | None = None, **fields) -> ShippingMethod:
    """Add a shipping service, or change one; an inactive one is no longer offered."""
    require_perm(
        user,
        "fulfillment.change_shippingmethod" if method else "fulfillment.add_shippingmethod",
        CONFIGURE,
    )
    fields = shipping_method_check(method=method, **fields)
    return _apply(method or ShippingMethod(), fields)


def package_type_check(*, package: PackageType | None = None, **fields) -> dict:
    """Return the package type's fields checked, or refuse the first bad one in words."""
    _unknown(fields, PACKAGE_FIELDS)
    package = package or PackageType()
    if "name" in fields:
        name = str(fields["name"] or "").strip()
        if not name:
            raise InvalidInput("Give the package a name, for example Small box.", field="name")
        taken = PackageType.objects.filter(name__iexact=name)
        if package.pk:
            taken = taken.exclude(pk=package.pk)
        if taken.exists():
            raise InvalidInput(f"Another package type is called {name!r}.", field="name")
        fields["name"] = name
    for name, limit, words in [
        ("length_mm", MAX_MILLIMETRES, "The length"),
        ("width_mm", MAX_MILLIMETRES, "The width"),
        ("height_mm", MAX_MILLIMETRES, "The height"),
        ("tare_grams", MAX_TARE_GRAMS, "The empty weight"),
    ]:
        if name in fields:
            value = fields[name]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
                raise InvalidInput(f"{words} is a whole number from 0 to {limit:,}.", field=name)
    return fields


@service
def package_type_save(*, user, package: PackageType | None = None, **fields) -> PackageType:
    """Add a package type, or change one; an inactive one is no longer offered at the bench."""
    require_perm(
        user,
        "fulfillment.change_packagetype" if package else "fulfillment.add_packagetype",
        CONFIGURE,
    )
    fields = package_type_check(package=package, **fields)
    return _apply(package or PackageType(), fields)
