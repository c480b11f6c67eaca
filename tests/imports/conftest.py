import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oms.models import Job


def csv_file(text: str, name: str = "file.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def upload(client, django_capture_on_commit_callbacks):
    """Upload a file to an import as the signed-in user (its dry run runs); return the response."""

    def send(kind: str, text: str | bytes, name: str = "file.csv"):
        content = text.encode("utf-8") if isinstance(text, str) else text
        file = SimpleUploadedFile(name, content, content_type="text/csv")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("imports:upload", args=[kind]), {"file": file})

    return send


def last_job() -> Job:
    return Job.objects.order_by("-pk").first()


@pytest.fixture
def preview_and_confirm(client, upload, django_capture_on_commit_callbacks):
    """Upload, follow the dry run, confirm; return (preview job, import job)."""

    def run(kind: str, text: str):
        response = upload(kind, text)
        assert response.status_code == 302, response.content.decode()[:500]
        preview = last_job()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("imports:confirm", args=[preview.pk]))
        assert response.status_code == 302
        return preview, last_job()

    return run
