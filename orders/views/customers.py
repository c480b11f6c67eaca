"""Customer pages: the list with search, and one customer's addresses and order history."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render

from oms.access import staff_view
from oms.errors import NotFound
from oms.pagination import paginate_by_key
from orders import selectors
from orders.forms import CustomerFilterForm

PAGE_SIZE = 50


_viewer = staff_view("orders.view_customer")


@_viewer
def customer_list(request):
    """List customers by name with their number of orders; search name, email, phone."""
    form = CustomerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    vip = {"yes": True, "no": False}.get(data.get("vip") or "")
    customers = selectors.customer_list(search=data.get("q") or "", vip=vip)
    page = paginate_by_key(customers, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "orders/customer_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "search": data.get("q") or ""},
    )


@_viewer
def customer_detail(request, pk: int):
    """Show one customer: contact details, saved addresses and every order, newest first."""
    try:
        customer = selectors.customer_get(pk)
    except NotFound as error:
        raise Http404(error.message) from error
    orders = paginate_by_key(
        selectors.customer_orders(customer), request.GET.get("page"), PAGE_SIZE
    )
    return render(
        request,
        "orders/customer_detail.html",
        {
            "customer": customer,
            "addresses": selectors.customer_addresses(customer),
            "page": orders,
            "query": "",
        },
    )
