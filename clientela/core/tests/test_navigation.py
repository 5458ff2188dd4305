"""The main menu: entries by what the user may open; a section leads to its first page and
shows its pages as a second row when the user is inside it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _menu(response):
    return [(item["label"], item["url"]) for item in response.context["nav_items"]]


def test_a_marketer_sees_the_marketing_section_and_its_pages(client, make_user):
    client.force_login(make_user("marketing", username="marta"))
    response = client.get(reverse("marketing:campaign_list"))
    labels = [label for label, _url in _menu(response)]
    assert "Marketing" in labels and "Campaigns" not in labels
    marketing = next(i for i in response.context["nav_items"] if i["label"] == "Marketing")
    assert marketing["url"] == reverse("marketing:campaign_list")
    assert marketing["active"] is True
    html = response.content.decode()
    assert '<nav class="sub-nav" aria-label="Marketing">' in html
    assert f'<a href="{reverse("marketing:template_list")}">E-mail templates</a>' in html


def test_sections_a_user_may_not_open_are_left_out(client, make_user):
    client.force_login(make_user("sales", username="jordi"))
    labels = [label for label, _url in _menu(client.get(reverse("contacts:contact_list")))]
    assert "Automation" not in labels  # outgoing webhooks need write access to automation
    assert "Marketing" in labels  # sales read marketing


def test_outside_a_section_there_is_no_second_row(client, admin_user):
    client.force_login(admin_user)
    assert b'class="sub-nav"' not in client.get(reverse("contacts:contact_list")).content
