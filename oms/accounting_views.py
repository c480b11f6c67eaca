"""The accounting page for managers: export a date range as a batch, see batches, download, re-export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from oms import accounting
from oms.access import staff_view
from oms.errors import DomainError
from oms.models import AccountingBatch
from oms.roles import Role

PERM = "oms.export_accounting"
LISTED = 50


class BatchForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    profile = forms.ChoiceField(label="Layout", choices=AccountingBatch.Profile.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
            f.widget.attrs["class"] = css


def _page(request, form, status=200):
    batches = AccountingBatch.objects.select_related("created_by", "reexport_of").order_by("-pk")
    return render(
        request,
        "oms/accounting.html",
        {
            "form": form,
            "batches": list(batches[:LISTED]),
            "profiles": AccountingBatch.Profile.choices,
        },
        status=status,
    )


@staff_view(PERM, roles=[Role.MANAGER], methods=["GET", "HEAD", "POST"])
def accounting_index(request):
    """Show the export form and the latest batches; a POST exports the range as a new batch."""
    if request.method != "POST":
        return _page(request, BatchForm())
    form = BatchForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        batch = accounting.accounting_batch_create(
            date_from=form.cleaned_data["date_from"],
            date_to=form.cleaned_data["date_to"],
            profile=form.cleaned_data["profile"],
            user=request.user,
        )
    except DomainError as error:
        form.add_error(None, error.message)
        return _page(request, form, status=400)
    messages.success(
        request,
        f"{batch.number}: {batch.document_count} documents, total {batch.total}. "
        "Download the file below.",
    )
    return redirect("accounting:index")


@staff_view(PERM, roles=[Role.MANAGER])
def accounting_download(request, pk: int):
    """Download a batch's file as it was handed over."""
    batch = AccountingBatch.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404("That batch does not exist.")
    response = HttpResponse(batch.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{batch.number or batch.pk}-{batch.profile}.csv"'
    )
    return response


@staff_view(PERM, roles=[Role.MANAGER], post=True)
def accounting_reexport(request, pk: int):
    """Export a batch's documents again, on purpose, as a copy (optionally in another layout)."""
    profile = request.POST.get("profile") or None
    if profile is not None and profile not in AccountingBatch.Profile.values:
        messages.error(request, "Choose generic, Xero or QuickBooks.")
        return redirect("accounting:index")
    try:
        batch = accounting.accounting_batch_reexport(
            batch_id=pk, user=request.user, profile=profile
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"{batch.number} is a copy of {batch.reexport_of.number}: download it below."
        )
    return redirect("accounting:index")
