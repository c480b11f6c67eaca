"""The site's icon: every page names it, and /favicon.ico leads to it (no 404 in any log)."""

from django.contrib.staticfiles import finders
from django.templatetags.static import static


def test_favicon_ico_leads_to_the_icon_without_logging_in(client, db):
    # when
    response = client.get("/favicon.ico")
    # then
    assert response.status_code == 301
    assert response["Location"] == static("img/favicon.svg")
    assert finders.find("img/favicon.svg")


def test_favicon_ico_refuses_a_post(client, db):
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_names_the_icon(client, db):
    # when: the login page, which every visitor sees first
    response = client.get("/accounts/login/")
    # then
    assert f'<link rel="icon" href="{static("img/favicon.svg")}"' in response.content.decode()
