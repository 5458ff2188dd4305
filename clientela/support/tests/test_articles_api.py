"""``/api/v1/articles/`` and ``/api/v1/article-categories/``: CRUD through the services,
translations, If-Match, versions and revert, filters, the permission matrix, hostile input and
the cost of a page."""

import json
from html.parser import HTMLParser

import pytest

from clientela.core.models import Role
from clientela.support.models import Article, ArticleCategory, ArticleVersion
from clientela.support.models.knowledge import MAX_ARTICLE
from clientela.support.services import knowledge

pytestmark = pytest.mark.django_db
URL = "/api/v1/articles/"
CATEGORIES = "/api/v1/article-categories/"


def detail(article):
    return f"{URL}{article.pk}/"


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def assert_error(response, status, code, fields):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert sorted(body["fields"]) == sorted(fields)
    return body


def db_state():
    """Everything an article write could touch."""
    return {
        "articles": list(Article.objects.order_by("id").values()),
        "versions": list(ArticleVersion.objects.order_by("id").values()),
        "categories": list(ArticleCategory.objects.order_by("id").values()),
    }


@pytest.fixture
def agent(make_user):
    return make_user("service", username="marta")


@pytest.fixture
def agent_api(api, agent):
    return api(agent)


def write(actor, **fields):
    fields.setdefault("title", "Reset your router")
    fields.setdefault("body", "Hold the **reset** button for ten seconds.")
    fields.setdefault("language", "en")
    return knowledge.create_article(actor=actor, **fields)


# --- create, read, update, delete ----------------------------------------------------------------


def test_create_answers_the_article_with_its_html_and_etag(agent_api, agent):
    billing = ArticleCategory.objects.create(name="Billing", slug="billing")

    response = agent_api.post(
        URL,
        {
            "title": "  Change   your invoice address ",
            "body": "Go to **Account** and then *Billing*.",
            "language": "en",
            "category": billing.pk,
            "status": "published",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    article = Article.objects.get()
    assert response["ETag"] == f'"{article.pk}-1"'
    assert body["id"] == article.pk
    assert (body["title"], body["slug"], body["language"], body["category"]) == (
        "Change your invoice address",
        "change-your-invoice-address",
        "en",
        billing.pk,
    )
    assert (body["status"], body["internal"], body["version"]) == ("published", False, 1)
    assert body["body"] == "Go to **Account** and then *Billing*."
    assert body["html"] == "<p>Go to <strong>Account</strong> and then <em>Billing</em>.</p>\n"
    assert body["translations"] == []
    assert body["published_at"] is not None
    assert body["updated_by"] == agent.pk
    assert (body["helpful_votes"], body["unhelpful_votes"]) == (0, 0)
    assert "translation_of" not in body
    assert list(article.versions.values_list("number", flat=True)) == [1]


def test_retrieve_then_patch_with_if_match_and_a_stale_write_is_412(agent_api, agent):
    article = write(agent)
    read = agent_api.get(detail(article))
    etag = read["ETag"]
    assert etag == f'"{article.pk}-1"'
    assert read.json()["html"] == "<p>Hold the <strong>reset</strong> button for ten seconds.</p>\n"

    first = agent_api.patch(
        detail(article), {"body": "Unplug it."}, format="json", HTTP_IF_MATCH=etag
    )
    second = agent_api.patch(
        detail(article), {"body": "Call us."}, format="json", HTTP_IF_MATCH=etag
    )

    assert first.status_code == 200, first.json()
    assert first["ETag"] == f'"{article.pk}-2"'
    assert (first.json()["body"], first.json()["html"]) == ("Unplug it.", "<p>Unplug it.</p>\n")
    assert_error(second, 412, "precondition_failed", [])
    article.refresh_from_db()
    assert (article.body, article.version) == ("Unplug it.", 2)


def test_a_change_that_keeps_the_text_keeps_the_version(agent_api, agent):
    article = write(agent)

    response = agent_api.patch(
        detail(article), {"status": "published", "internal": True}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["internal"]) == ("published", True)
    assert response["ETag"] == f'"{article.pk}-1"'


def test_put_is_not_offered(agent_api, agent):
    article = write(agent)

    response = agent_api.put(detail(article), {"title": "x", "body": "y"}, format="json")

    assert_error(response, 405, "method_not_allowed", [])


def test_delete_removes_the_article_and_a_stale_etag_is_412(agent_api, agent):
    article = write(agent)
    agent_api.patch(detail(article), {"body": "New text."}, format="json")

    stale = agent_api.delete(detail(article), HTTP_IF_MATCH=f'"{article.pk}-1"')
    assert_error(stale, 412, "precondition_failed", [])
    assert Article.objects.filter(pk=article.pk).exists()

    deleted = agent_api.delete(detail(article), HTTP_IF_MATCH=f'"{article.pk}-2"')

    assert deleted.status_code == 204
    assert not Article.objects.exists()
    assert not ArticleVersion.objects.exists()
    assert_error(agent_api.get(detail(article)), 404, "not_found", [])


# --- translations --------------------------------------------------------------------------------


def test_a_translation_is_linked_and_there_is_one_per_language(agent_api, agent):
    help_ = ArticleCategory.objects.create(name="Help", slug="help")
    original = write(agent, category=help_, internal=True)

    spanish = agent_api.post(
        URL,
        {
            "title": "Reinicia el router",
            "body": "Mantén pulsado el botón.",
            "language": "es",
            "translation_of": original.pk,
        },
        format="json",
    )
    second = agent_api.post(
        URL,
        {
            "title": "Otra traducción",
            "body": "x",
            "language": "es",
            "translation_of": original.pk,
        },
        format="json",
    )

    assert spanish.status_code == 201, spanish.json()
    translated = spanish.json()
    assert translated["translations"] == [original.pk]
    assert (translated["category"], translated["internal"]) == (help_.pk, True)
    assert agent_api.get(detail(original)).json()["translations"] == [translated["id"]]
    body = assert_error(second, 400, "invalid", ["language"])
    assert body["fields"]["language"] == ["This article already has a version in this language."]
    assert Article.objects.count() == 2


def test_translation_of_is_refused_after_creation_and_must_exist(agent_api, agent):
    article = write(agent)
    other = write(agent, title="Other", language="es")
    before = db_state()

    patched = agent_api.patch(detail(article), {"translation_of": other.pk}, format="json")
    missing = agent_api.post(
        URL, {"title": "x", "body": "y", "language": "ca", "translation_of": 999999}, format="json"
    )

    assert assert_error(patched, 400, "invalid", ["translation_of"])["fields"] == {
        "translation_of": ["Only when the article is created."]
    }
    assert_error(missing, 400, "invalid", ["translation_of"])
    assert db_state() == before


# --- versions and revert -------------------------------------------------------------------------


def test_versions_list_newest_first_and_revert_brings_one_back(agent_api, agent):
    article = write(agent, body="First text.")
    agent_api.patch(detail(article), {"body": "Second text."}, format="json")
    agent_api.patch(detail(article), {"title": "Renamed", "body": "Third text."}, format="json")

    versions = agent_api.get(f"{detail(article)}versions/")
    assert versions.status_code == 200
    rows = versions.json()["results"]
    assert [(r["number"], r["title"], r["body"]) for r in rows] == [
        (3, "Renamed", "Third text."),
        (2, "Reset your router", "Second text."),
        (1, "Reset your router", "First text."),
    ]
    assert {(r["saved_by"], r["saved_by_name"]) for r in rows} == {(agent.pk, str(agent))}

    reverted = agent_api.post(
        f"{detail(article)}revert/",
        {"version": 1},
        format="json",
        HTTP_IF_MATCH=f'"{article.pk}-3"',
    )

    assert reverted.status_code == 200, reverted.json()
    assert reverted["ETag"] == f'"{article.pk}-4"'
    assert (reverted.json()["title"], reverted.json()["body"]) == (
        "Reset your router",
        "First text.",
    )
    newest = agent_api.get(f"{detail(article)}versions/", {"page_size": 1}).json()
    assert [r["number"] for r in newest["results"]] == [4]
    assert newest["next"] is not None


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"version": 99}, ["version"]),
        ({"version": 0}, ["version"]),
        ({"version": "one"}, ["version"]),
        ({}, ["version"]),
        ({"version": 1, "title": "x"}, ["title"]),
    ],
)
def test_a_bad_revert_is_400_and_changes_nothing(agent_api, agent, body, fields):
    article = write(agent)
    before = db_state()

    response = agent_api.post(f"{detail(article)}revert/", body, format="json")

    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


def test_a_revert_with_a_stale_etag_is_412(agent_api, agent):
    article = write(agent)
    agent_api.patch(detail(article), {"body": "Second."}, format="json")
    before = db_state()

    response = agent_api.post(
        f"{detail(article)}revert/",
        {"version": 1},
        format="json",
        HTTP_IF_MATCH=f'"{article.pk}-1"',
    )

    assert_error(response, 412, "precondition_failed", [])
    assert db_state() == before


# --- lists and filters ---------------------------------------------------------------------------


@pytest.fixture
def library(agent):
    billing = ArticleCategory.objects.create(name="Billing", slug="billing")
    return {
        "router": write(agent, title="Router lights", body="Blinking lights", status="published"),
        "invoice": write(
            agent,
            title="Invoice address",
            body="Change the invoice address",
            category=billing,
            status="published",
        ),
        "refunds": write(
            agent, title="Refunds", body="Money back", category=billing, internal=True
        ),
        "factura": write(agent, title="Factura", body="Cambiar la factura", language="es"),
        "billing": billing,
    }


def test_the_list_is_by_title_without_the_text(agent_api, library):
    response = agent_api.get(URL)

    assert ids(response) == [
        library[name].pk for name in ("factura", "invoice", "refunds", "router")
    ]
    row = response.json()["results"][0]
    assert "body" not in row and "html" not in row
    assert row["title"] == "Factura"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "invoice"}, ["invoice"]),
        ({"q": "factura"}, ["factura"]),
        ({"language": "es"}, ["factura"]),
        ({"status": "draft"}, ["factura", "refunds"]),
        ({"internal": "true"}, ["refunds"]),
        ({"internal": "false", "status": "published"}, ["invoice", "router"]),
        (
            {"ordering": "-updated", "language": "en", "internal": "false"},
            ["invoice", "router"],
        ),  # newest first
    ],
)
def test_filters_narrow_the_list(agent_api, library, query, expected):
    assert ids(agent_api.get(URL, query)) == [library[name].pk for name in expected]


def test_the_category_filter_and_pages(agent_api, library):
    first = agent_api.get(URL, {"category": library["billing"].pk, "page_size": 1}).json()
    second = agent_api.get(first["next"]).json()

    assert [row["id"] for row in first["results"] + second["results"]] == [
        library["invoice"].pk,
        library["refunds"].pk,
    ]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"language": "klingon"}, "language"),
        ({"status": "lost"}, "status"),
        ({"category": "abc"}, "category"),
        ({"category": 999999}, "category"),
        ({"internal": "perhaps"}, "internal"),
        ({"q": "x" * 201}, "q"),
        ({"ordering": "votes"}, "ordering"),
        ({"cursor": "garbage"}, "cursor"),
        ({"page_size": 500}, "page_size"),
    ],
)
def test_bad_list_parameters_are_400_with_the_parameter_named(agent_api, library, query, field):
    assert_error(agent_api.get(URL, query), 400, "invalid", [field])


# --- categories ----------------------------------------------------------------------------------


def test_categories_are_listed_by_position_created_and_changed(agent_api):
    ArticleCategory.objects.create(name="Shipping", slug="shipping", position=2)

    created = agent_api.post(
        CATEGORIES,
        {"name": " Billing  and  invoices ", "description": "Money matters", "position": 1},
        format="json",
    )
    assert created.status_code == 201, created.json()
    billing = created.json()
    assert (billing["name"], billing["slug"], billing["position"]) == (
        "Billing and invoices",
        "billing-and-invoices",
        1,
    )

    changed = agent_api.patch(
        f"{CATEGORIES}{billing['id']}/", {"slug": "invoices", "position": 3}, format="json"
    )

    assert changed.status_code == 200, changed.json()
    assert (changed.json()["slug"], changed.json()["position"]) == ("invoices", 3)
    listed = agent_api.get(CATEGORIES).json()["results"]
    assert [row["name"] for row in listed] == ["Shipping", "Billing and invoices"]


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"name": "Shipping"}, ["name"]),  # its address, made from the name, is said there
        ({"name": "Other", "slug": "shipping"}, ["slug"]),
        ({"name": "Other", "slug": "no spaces!"}, ["slug"]),
        ({"name": ""}, ["name"]),
        ({"name": "   "}, ["name"]),
        ({"name": "x" * 101}, ["name"]),
        ({"name": "Other", "position": -1}, ["position"]),
        ({"name": "Other", "colour": "red"}, ["colour"]),
    ],
)
def test_bad_categories_are_400_and_write_nothing(agent_api, body, fields):
    ArticleCategory.objects.create(name="Shipping", slug="shipping")
    before = db_state()

    response = agent_api.post(CATEGORIES, body, format="json")

    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "service"])
def test_support_writers_write_articles_and_categories(api, make_user, role):
    client = api(make_user(role))

    created = client.post(URL, {"title": "x", "body": "y", "language": "en"}, format="json")
    category = client.post(CATEGORIES, {"name": "Help"}, format="json")

    assert created.status_code == 201, created.json()
    assert category.status_code == 201, category.json()
    article = Article.objects.get()
    assert client.patch(detail(article), {"body": "z"}, format="json").status_code == 200
    assert (
        client.post(f"{detail(article)}revert/", {"version": 1}, format="json").status_code == 200
    )
    assert client.delete(detail(article)).status_code == 204


@pytest.mark.parametrize("role", ["read_only", "sales", "marketing"])
def test_support_readers_list_and_read_but_never_write(api, make_user, make_team, agent, role):
    # Sales see the records of their team only; articles belong to nobody and are seen by all.
    client = api(make_user(role, teams=[make_team("Sales")]))
    article = write(agent, internal=True)
    category = ArticleCategory.objects.create(name="Help", slug="help")
    before = db_state()

    assert ids(client.get(URL)) == [article.pk]
    read = client.get(detail(article))
    assert read.status_code == 200 and read["ETag"] == f'"{article.pk}-1"'
    assert client.get(f"{detail(article)}versions/").status_code == 200
    assert client.get(CATEGORIES).status_code == 200
    for response in (
        client.post(URL, {"title": "x", "body": "y", "language": "en"}, format="json"),
        client.patch(detail(article), {"body": "z"}, format="json"),
        client.delete(detail(article)),
        client.post(f"{detail(article)}revert/", {"version": 1}, format="json"),
        client.post(CATEGORIES, {"name": "New"}, format="json"),
        client.patch(f"{CATEGORIES}{category.pk}/", {"name": "Renamed"}, format="json"),
    ):
        assert_error(response, 403, "permission_denied", [])
    assert db_state() == before


def test_a_role_without_customer_service_gets_403_everywhere(api, make_user, agent):
    user = make_user("sales")
    user.role = Role.objects.create(
        code="contacts-only", name="Contacts only", scope="all", access={"contacts": "write"}
    )
    user.save()
    client = api(user)
    article = write(agent)
    category = ArticleCategory.objects.create(name="Help", slug="help")
    before = db_state()

    for response in (
        client.get(URL),
        client.get(detail(article)),
        client.get(f"{detail(article)}versions/"),
        client.get(CATEGORIES),
        client.post(URL, {"title": "x", "body": "y", "language": "en"}, format="json"),
        client.patch(detail(article), {"body": "z"}, format="json"),
        client.delete(detail(article)),
        client.post(f"{detail(article)}revert/", {"version": 1}, format="json"),
        client.post(CATEGORIES, {"name": "New"}, format="json"),
        client.patch(f"{CATEGORIES}{category.pk}/", {"name": "Renamed"}, format="json"),
    ):
        assert_error(response, 403, "permission_denied", [])
    assert db_state() == before


def test_unauthenticated_callers_get_401(client):
    assert_error(client.get(URL), 401, "not_authenticated", [])
    assert_error(client.get(CATEGORIES), 401, "not_authenticated", [])


# --- hostile and malformed input -----------------------------------------------------------------


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, dict(attrs)))


def assert_harmless(html):
    """No script, style or frame, no event handlers, no javascript: links or images (the same
    words shown as text are harmless; Markdown images of web addresses are allowed)."""
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.seen:
        assert tag not in {"script", "style", "iframe"}, html
        assert not any(name.startswith("on") for name in attrs), html
        for link in ("href", "src"):
            assert not (attrs.get(link) or "").lower().startswith("javascript"), html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "<a href='javascript:alert(1)'>x</a>",
        '![x](javascript:alert(1)) <b onclick="x()">b</b>',
        "<style>body{display:none}</style>**bold**",
    ],
)
def test_html_in_the_body_is_kept_verbatim_and_answered_sanitised(agent_api, text):
    response = agent_api.post(
        URL, {"title": "<b>Hi</b>", "body": text, "language": "en"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["body"] == text
    assert body["title"] == "<b>Hi</b>"
    assert_harmless(body["html"])
    again = agent_api.get(detail(Article.objects.get())).json()
    assert (again["body"], again["html"]) == (text, body["html"])


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"colour": "red"}, ["colour"]),
        ({"version": 7, "hack": 1}, ["hack"]),
        ({"title": ""}, ["title"]),
        ({"title": "   "}, ["title"]),
        ({"title": ["x"]}, ["title"]),
        ({"title": "x" * 201}, ["title"]),
        ({"body": "x" * (MAX_ARTICLE + 1)}, ["body"]),
        ({"body": ""}, ["body"]),
        ({"body": None}, ["body"]),
        ({"language": "klingon"}, ["language"]),
        ({"status": "archived"}, ["status"]),
        ({"internal": "perhaps"}, ["internal"]),
        ({"category": 999999}, ["category"]),
        ({"category": "abc"}, ["category"]),
        ({"slug": "no spaces!"}, ["slug"]),
        ({"slug": "ñandú"}, ["slug"]),
        ({"slug": "x" * 201}, ["slug"]),
    ],
)
def test_bad_input_is_400_and_writes_nothing(agent_api, body, fields):
    before = db_state()

    response = agent_api.post(
        URL, {"title": "Broken", "body": "Text", "language": "en", **body}, format="json"
    )

    assert_error(response, 400, "invalid", fields)
    assert db_state() == before


def test_an_article_of_exactly_the_limit_is_accepted(agent_api):
    response = agent_api.post(
        URL, {"title": "Long", "body": "x" * MAX_ARTICLE, "language": "en"}, format="json"
    )

    assert response.status_code == 201
    assert len(Article.objects.get().body) == MAX_ARTICLE


def test_the_same_address_twice_in_a_language_is_400_on_slug(agent_api, agent):
    write(agent, slug="router")
    before = db_state()

    response = agent_api.post(
        URL, {"title": "Another", "body": "x", "language": "en", "slug": "router"}, format="json"
    )

    assert assert_error(response, 400, "invalid", ["slug"])["fields"] == {
        "slug": ["Another article in this language has this address."]
    }
    assert db_state() == before
    spanish = agent_api.post(
        URL, {"title": "Otro", "body": "x", "language": "es", "slug": "router"}, format="json"
    )
    assert spanish.status_code == 201


def test_read_only_fields_sent_back_are_ignored(agent_api, agent):
    article = write(agent)

    response = agent_api.patch(
        detail(article),
        {"version": 99, "helpful_votes": 1000, "html": "<script></script>", "translations": [1]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    article.refresh_from_db()
    assert (article.version, article.helpful_votes) == (1, 0)


@pytest.mark.parametrize("raw", [b'{"title": "x"', b"[]", b"null", b"\xff\xfe"])
def test_malformed_json_is_400_and_writes_nothing(agent_api, agent, raw):
    article = write(agent)
    before = db_state()

    for method, url in (("POST", URL), ("PATCH", detail(article)), ("POST", CATEGORIES)):
        response = agent_api.generic(method, url, raw, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["code"] in {"malformed", "invalid"}
    assert db_state() == before


def test_a_10_mb_request_is_413_and_writes_nothing(agent_api, agent):
    article = write(agent)
    before = db_state()
    huge = "x" * (10 * 1024 * 1024)

    for method, url, body in (
        ("POST", URL, {"title": "Big", "body": huge, "language": "en"}),
        ("PATCH", detail(article), {"body": huge}),
        ("POST", f"{detail(article)}revert/", {"version": 1, "pad": huge}),
        ("POST", CATEGORIES, {"name": "Big", "description": huge}),
    ):
        response = agent_api.generic(method, url, json.dumps(body), content_type="application/json")
        body = assert_error(response, 413, "too_large", [])
        assert body["message"] == "The request body is too large."
    assert db_state() == before


def test_a_form_encoded_body_is_415(agent_api):
    response = agent_api.post(URL, {"title": "x", "body": "y"}, format="multipart")

    assert_error(response, 415, "unsupported_media_type", [])


@pytest.mark.parametrize("if_match", ['"garbage"', '"1-x"', '"99999-1"'])
def test_an_unreadable_if_match_is_412(agent_api, agent, if_match):
    article = write(agent)

    response = agent_api.patch(
        detail(article), {"body": "New."}, format="json", HTTP_IF_MATCH=if_match
    )

    assert_error(response, 412, "precondition_failed", [])


@pytest.mark.parametrize("path", ["abc/", "99999999999999999999/", "0x1/"])
def test_bad_ids_are_404(agent_api, path):
    assert_error(agent_api.get(f"{URL}{path}"), 404, "not_found", [])


# --- cost ----------------------------------------------------------------------------------------


def _many_articles(actor, n, start=0):
    category = ArticleCategory.objects.get_or_create(name="Help", slug="help")[0]
    for i in range(start, start + n):
        original = write(actor, title=f"Article {i}", category=category)
        write(actor, title=f"Artículo {i}", language="es", translation_of=original)


def test_a_list_page_costs_a_fixed_number_of_queries(
    agent_api, agent, django_assert_max_num_queries
):
    _many_articles(agent, 2)
    with django_assert_max_num_queries(5) as few:
        assert len(ids(agent_api.get(URL))) == 4
    _many_articles(agent, 30, start=2)
    for query in ({}, {"language": "es"}, {"q": "article"}, {"page_size": 200}):
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert len(ids(agent_api.get(URL, query))) >= 4


def test_a_versions_page_costs_a_fixed_number_of_queries(
    agent_api, agent, django_assert_max_num_queries
):
    article = write(agent)
    with django_assert_max_num_queries(5) as few:
        assert agent_api.get(f"{detail(article)}versions/").status_code == 200
    for i in range(30):
        article = knowledge.update_article(article, actor=agent, body=f"Text {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(agent_api.get(f"{detail(article)}versions/").json()["results"]) == 31
