"""The accounting page: export a range, list batches, download, re-export on purpose; managers only."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from oms.models import AccountingBatch
from orders.services.invoices import invoices_issue_due
from tests import desk_world

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today().isoformat()


@pytest.fixture
def invoiced(db):
    desk_world.build()
    invoices_issue_due()


def test_a_manager_exports_a_range_sees_the_batch_and_downloads_it(
    client, manager_user, invoiced, django_assert_max_num_queries
):
    client.force_login(manager_user)
    answer = client.post(
        reverse("accounting:index"),
        {"date_from": TODAY, "date_to": TODAY, "profile": "xero"},
        follow=True,
    )
    batch = AccountingBatch.objects.get()
    assert f"{batch.number}: 5 documents, total 230.00" in answer.content.decode()
    with django_assert_max_num_queries(10):
        page = client.get(reverse("accounting:index")).content.decode()
    assert f'data-batch="{batch.number}"' in page
    download = client.get(reverse("accounting:download", args=[batch.pk]))
    assert download["Content-Disposition"].endswith(f'{batch.number}-xero.csv"')
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert len(rows) == 6 and rows[0][0] == "*ContactName"


def test_the_same_range_again_is_refused_until_a_batch_is_re_exported(
    client, manager_user, invoiced
):
    client.force_login(manager_user)
    data = {"date_from": TODAY, "date_to": TODAY, "profile": "generic"}
    client.post(reverse("accounting:index"), data)
    again = client.post(reverse("accounting:index"), data)
    assert again.status_code == 400 and "nothing new to export" in again.content.decode()
    assert AccountingBatch.objects.count() == 1
    original = AccountingBatch.objects.get()
    answer = client.post(
        reverse("accounting:reexport", args=[original.pk]), {"profile": "quickbooks"}, follow=True
    )
    copy = AccountingBatch.objects.exclude(pk=original.pk).get()
    assert copy.reexport_of == original and copy.profile == "quickbooks"
    assert f"{copy.number} is a copy of {original.number}" in answer.content.decode()


def test_bad_input_is_explained_and_writes_nothing(client, manager_user, invoiced):
    client.force_login(manager_user)
    url = reverse("accounting:index")
    for data, words in (
        ({"date_from": TODAY, "date_to": "2000-01-01", "profile": "generic"}, "before the start"),
        ({"date_from": "2020-01-01", "date_to": TODAY, "profile": "generic"}, "at most 366"),
        ({"date_from": "nope", "date_to": TODAY, "profile": "generic"}, "Enter a valid date"),
        ({"date_from": TODAY, "date_to": TODAY, "profile": "sage"}, "Select a valid choice"),
    ):
        answer = client.post(url, data)
        assert answer.status_code == 400 and words in answer.content.decode()
    bad = client.post(reverse("accounting:reexport", args=[99999]), follow=True)
    assert "does not exist" in bad.content.decode()
    assert client.get(reverse("accounting:download", args=[99999])).status_code == 404
    assert not AccountingBatch.objects.exists()


def test_only_managers_export_accounting(client, sales_user, warehouse_user, invoiced):
    for user in (sales_user, warehouse_user):
        client.force_login(user)
        assert client.get(reverse("accounting:index")).status_code == 403
        answer = client.post(
            reverse("accounting:index"),
            {"date_from": TODAY, "date_to": TODAY, "profile": "generic"},
        )
        assert answer.status_code == 403
    assert not AccountingBatch.objects.exists()
