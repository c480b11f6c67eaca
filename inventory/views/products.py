"""Product pages: the catalogue with live availability, and one product's stock and history."""

from django import forms
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect, render

from inventory import selectors
from inventory.models import Supplier
from oms.access import staff_view
from oms.errors import NotFound


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


@staff_view("inventory.view_product")
def product_list(request):
    """List products with on-hand, allocated and available stock; search, filter, sort."""
    form = ProductFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    search = (data.get("q") or "").strip()

    if search and request.GET.get("exact") != "0":
        exact = selectors.product_find_by_code(search)
        if exact is not None:
            return redirect(exact)

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
    products = products.order_by(*SORTS.get(data.get("sort") or "sku", ["sku"]))

    page = Paginator(products, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inventory/product_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "search": search},
    )


@staff_view("inventory.view_product")
def product_detail(request, pk: int):
    """Show one product: its details, stock in every bin, and its ledger history."""
    try:
        product = selectors.product_detail(pk)
    except NotFound as error:
        raise Http404(error.message) from error
    movements = None
    if request.user.has_perm("inventory.view_stockmovement"):
        movements = Paginator(selectors.movements(product=product), 50).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "inventory/product_detail.html",
        {"product": product, "levels": product.stock_levels.all(), "movements": movements},
    )
