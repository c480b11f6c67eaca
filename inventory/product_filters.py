"""The product list's filters: read once for the page and for its exports."""

from django import forms
from django.db.models import F, QuerySet

from inventory import selectors
from inventory.models import Product, Supplier


class ProductFilterForm(forms.Form):
    q = forms.CharField(
        label="Search",
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": "SKU, name or scan a barcode",
                "autofocus": True,
                "type": "search",
            }
        ),
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("active", "Active"), ("inactive", "Deactivated"), ("all", "All")],
    )
    stock = forms.ChoiceField(
        label="Stock",
        required=False,
        choices=[
            ("", "Any stock"),
            ("low", "Low stock"),
            ("out", "Out of stock"),
            ("in", "In stock"),
        ],
    )
    supplier = forms.ModelChoiceField(
        label="Supplier",
        required=False,
        queryset=Supplier.objects.order_by("name"),
        empty_label="Any supplier",
    )
    drop_ship = forms.ChoiceField(
        label="Drop-ship",
        required=False,
        choices=[("", "Stocked and drop-ship"), ("no", "Stocked only"), ("yes", "Drop-ship only")],
    )
    sort = forms.ChoiceField(
        label="Sort",
        required=False,
        choices=[
            ("sku", "SKU"),
            ("name", "Name"),
            ("available", "Available, lowest first"),
            ("-available", "Available, highest first"),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


SORTS = {
    "sku": ["sku"],
    "name": ["name", "sku"],
    "available": ["total_available", "sku"],
    "-available": ["-total_available", "sku"],
}


def products_filtered(data: dict) -> QuerySet[Product]:
    """Return the products the list shows for the form's cleaned data, in its order."""
    search = (data.get("q") or "").strip()
    status = data.get("status") or "active"
    only_active = {"active": True, "inactive": False}.get(status)
    products = selectors.product_list(search=search, only_active=only_active)
    stock = data.get("stock")
    if stock == "low":
        products = products.filter(
            is_drop_ship=False, reorder_point__gt=0, total_available__lte=F("reorder_point")
        )
    elif stock == "out":
        products = products.filter(is_drop_ship=False, total_available__lte=0)
    elif stock == "in":
        products = products.filter(total_available__gt=0)
    if data.get("supplier"):
        products = products.filter(supplier=data["supplier"])
    if data.get("drop_ship") == "yes":
        products = products.filter(is_drop_ship=True)
    elif data.get("drop_ship") == "no":
        products = products.filter(is_drop_ship=False)
    return products.order_by(*SORTS.get(data.get("sort") or "sku", ["sku"]))


def product_rows(params) -> QuerySet[Product]:
    """Return the products the product list shows under this query string."""
    form = ProductFilterForm(params or None)
    return products_filtered(form.cleaned_data if form.is_valid() else {})
