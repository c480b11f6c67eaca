"""Malformed and oversized files are refused in plain words and write nothing."""

import pytest
from django.urls import reverse

from inventory.models import Product
from oms.models import Job
from tests.imports.conftest import last_job


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"\x00\x01\x02binary junk\x00", "This is not a CSV file."),
        (b"PK\x03\x04xlsx", "This is not a CSV file."),
        ("sku,name,price\nA,Caf\u00e9,1\n".encode("latin-1"), "not UTF-8 text"),
        (b"sku,name\nA,B\n", "Missing column(s): price."),
        (b"sku,name,price,sku\nA,B,1,A\n", "The column sku appears twice"),
        (b"sku,name,price\n", "The file has a header but no rows."),
        (b",".join(b"c%d" % i for i in range(60)) + b"\n1\n", "at most 50 are read"),
        (b'sku,name,price\nA,"' + b"x" * 200_000 + b'",1\n', "cannot be read as CSV"),
        (b'sku,name,price\nA,"unterminated,1\n', "cannot be read as CSV"),
    ],
)
def test_a_malformed_file_is_refused_and_nothing_is_written(
    client, manager_user, upload, content, message
):
    # given
    client.force_login(manager_user)
    # when
    response = upload("products", content)
    # then
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Job.objects.exists() and not Product.objects.exists()


def test_files_past_the_bounds_are_refused(client, manager_user, upload, settings):
    # given
    client.force_login(manager_user)
    settings.OMS_IMPORT_MAX_ROWS = 3
    settings.OMS_IMPORT_MAX_BYTES = 200
    # when
    too_many = upload("products", "sku,name,price\n" + "A,B,1\n" * 4)
    too_big = upload("products", "sku,name,price\n" + "A,B,1\n" * 40)
    # then
    assert "more than 3 rows" in too_many.content.decode()
    assert "an import takes at most" in too_big.content.decode()
    assert not Job.objects.exists()


def test_no_file_and_unknown_imports(client, manager_user):
    client.force_login(manager_user)
    assert client.post(reverse("imports:upload", args=["products"])).status_code == 400
    assert client.post(reverse("imports:upload", args=["nothing"])).status_code == 404


def test_a_cell_past_the_bound_is_cut_and_refused_by_its_column(
    client, manager_user, preview_and_confirm
):
    client.force_login(manager_user)
    preview, _ = preview_and_confirm("products", "sku,name,price\nA," + "n" * 900 + ",1\n")
    page = client.get(reverse("imports:detail", args=[preview.pk]) + "?show=rejected")
    assert "At most 255 characters." in page.content.decode()
    assert not Product.objects.exists()


def test_someone_elses_import_is_not_found(client, manager_user, upload, django_user_model):
    # given another manager's dry run
    client.force_login(manager_user)
    upload("products", "sku,name,price\nA,B,1\n")
    job = last_job()
    other = django_user_model.objects.create_user("other")
    other.groups.set(manager_user.groups.all())
    client.force_login(other)
    # then
    assert client.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 404
    assert not Product.objects.exists()


def test_the_preview_page_costs_the_same_queries_for_many_rows(
    client, manager_user, upload, django_assert_max_num_queries
):
    client.force_login(manager_user)
    upload("products", "sku,name,price\n" + "".join(f"P{i},N{i},1\n" for i in range(300)))
    url = reverse("imports:detail", args=[last_job().pk]) + "?show=new&page=3"
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert "P100" in page.content.decode() and "P99<" not in page.content.decode()
