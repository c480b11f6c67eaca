"""Product pages: the catalogue with live availability, and one product's stock and history."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from inventory import selectors
from inventory.product_filters import ProductFilterForm, products_filtered
from oms.access import staff_view
from oms.errors import NotFound


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

    products = products_filtered(data)

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
