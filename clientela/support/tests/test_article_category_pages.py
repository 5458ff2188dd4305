"""The knowledge base's categories in the customer-service settings: listed with their article
counts, created and renamed through the service, deleted without losing their articles; only
for managers of the area, and bad input comes back with what was typed."""

import pytest
from django.urls import reverse

from clientela.support.models import Article, ArticleCategory
from clientela.support.services import knowledge

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(make_user):
    return make_user("manager", username="boss")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def billing(manager):
    return knowledge.create_article_category(actor=manager, name="Facturació", position=2)


def body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_list_shows_each_category_with_its_articles(manager_client, manager, billing):
    knowledge.create_article(
        actor=manager, language="ca", title="Com llegir la factura", body="Text", category=billing
    )
    knowledge.create_article_category(actor=manager, name="Enviaments", position=1)

    page = body(manager_client.get(reverse("support:article_category_list")))

    assert page.index("Enviaments") < page.index("Facturació")  # by position
    assert f"{reverse('help:index')}#facturacio" in page
    assert reverse("support:article_category_edit", args=[billing.pk]) in page


def test_create_edit_and_delete_a_category(manager_client, manager):
    created = manager_client.post(
        reverse("support:article_category_create"),
        {"name": "  Devolucions  ", "slug": "", "description": "Canvis i retorns", "position": "3"},
    )
    assert created.status_code == 302
    category = ArticleCategory.objects.get()
    assert (category.name, category.slug, category.description, category.position) == (
        "Devolucions",
        "devolucions",
        "Canvis i retorns",
        3,
    )
    article = knowledge.create_article(
        actor=manager, language="ca", title="Retorns", body="Text", category=category
    )

    edit = reverse("support:article_category_edit", args=[category.pk])
    assert 'value="devolucions"' in body(manager_client.get(edit))
    manager_client.post(edit, {"name": "Retorns", "slug": "retorns", "position": "0"})
    category.refresh_from_db()
    assert (category.name, category.slug, category.description) == ("Retorns", "retorns", "")

    delete = reverse("support:article_category_delete", args=[category.pk])
    assert "Its 1 article stays" in body(manager_client.get(delete))
    assert manager_client.post(delete).status_code == 302
    assert not ArticleCategory.objects.exists()
    article.refresh_from_db()
    assert article.category is None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "facturació", "position": "0"}, "name", "already"),
        ({"name": "Other", "slug": "facturacio", "position": "0"}, "slug", "already"),
        ({"name": "", "position": "0"}, "name", "required"),
        ({"name": "x" * 101, "position": "0"}, "name", "at most 100"),
        ({"name": "Negative", "position": "-1"}, "position", "greater than or equal"),
        ({"name": "Huge", "position": "9" * 30}, "position", "less than or equal"),
        ({"name": "<script>alert(1)</script>", "position": "x"}, "position", "whole number"),
    ],
)
def test_bad_input_comes_back_with_an_error(manager_client, billing, data, field, message):
    response = manager_client.post(reverse("support:article_category_create"), data)

    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field]).lower() or message in str(form.errors).lower()
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert ArticleCategory.objects.count() == 1


def test_a_hostile_name_is_shown_as_text(manager_client):
    manager_client.post(
        reverse("support:article_category_create"),
        {"name": "<img src=x onerror=alert(1)>", "position": "0"},
    )
    page = body(manager_client.get(reverse("support:article_category_list")))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("role_code", ["sales", "read_only"])
def test_others_can_neither_see_nor_write(client, make_user, billing, role_code):
    client.force_login(make_user(role_code))
    for url in (
        reverse("support:article_category_list"),
        reverse("support:article_category_create"),
        reverse("support:article_category_edit", args=[billing.pk]),
        reverse("support:article_category_delete", args=[billing.pk]),
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"name": "Hacked", "position": "0"}).status_code == 403, url
    assert list(ArticleCategory.objects.values_list("name", flat=True)) == ["Facturació"]
    assert Article.objects.count() == 0
