"""The knowledge-base pages for the team and the public help centre."""

import pytest
from django.urls import reverse

from clientela.support.models import Article, ArticleStatus
from clientela.support.services import knowledge


@pytest.fixture
def agent(make_user):
    return make_user("service", username="agent")


def write(actor, **fields):
    fields.setdefault("title", "How to return a product")
    fields.setdefault("body", "Send it **within 30 days**.")
    fields.setdefault("language", "en")
    fields.setdefault("status", ArticleStatus.PUBLISHED)
    return knowledge.create_article(actor=actor, **fields)


def test_the_help_centre_shows_only_published_public_articles(client, agent):
    write(agent, title="Returns")
    write(agent, title="Draft plan", status=ArticleStatus.DRAFT)
    write(agent, title="Internal pricing", internal=True)
    write(agent, title="Devolucions", language="ca")

    body = client.get(reverse("help:index")).content.decode()

    assert "Returns" in body
    assert "Draft plan" not in body and "Internal pricing" not in body
    assert "Devolucions" not in body  # another language


def test_help_centre_search_never_finds_drafts_or_internal_articles(client, agent):
    write(agent, title="Warranty for lamps")
    write(agent, title="Warranty secret margins", internal=True)
    write(agent, title="Warranty draft", status=ArticleStatus.DRAFT)

    response = client.get(reverse("help:index"), {"q": "warranty"})

    assert [a.title for a in response.context["results"]] == ["Warranty for lamps"]


def test_hidden_articles_are_not_found_by_address(client, agent):
    draft = write(agent, title="Draft", status=ArticleStatus.DRAFT)
    internal = write(agent, title="Internal", internal=True)
    for article in (draft, internal):
        url = reverse("help:article", args=[article.language, article.slug])
        assert client.get(url).status_code == 404
        assert client.post(url + "vote/", {"helpful": "yes"}).status_code == 404


def test_an_article_page_renders_markdown_safely_and_links_translations(client, agent):
    english = write(agent, body='**Bold** <script>alert("x")</script>')
    write(agent, translation_of=english, language="es", title="Devoluciones", body="Hola")

    body = client.get(reverse("help:article", args=["en", english.slug])).content.decode()

    assert "<strong>Bold</strong>" in body
    assert '<script>alert("x")</script>' not in body
    assert 'hreflang="es"' in body


def test_a_reader_votes_once(client, agent):
    article = write(agent)
    url = reverse("help:vote", args=["en", article.slug])
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "yes"})
    article.refresh_from_db()
    assert (article.helpful_votes, article.unhelpful_votes) == (1, 0)


def test_hostile_queries_are_plain_words(client, agent):
    write(agent)
    for query in ['" OR 1=1 --', "*" * 500, "NEAR(a b)", "\x00", "🙂"]:
        assert client.get(reverse("help:index"), {"q": query}).status_code == 200


def test_agents_write_articles_and_others_only_read(client, agent, make_user):
    client.force_login(agent)
    response = client.post(
        reverse("support:article_create"),
        {"title": "Exchanges", "language": "en", "status": "draft", "body": "Bring the ticket."},
    )
    article = Article.objects.get()
    assert response["Location"] == reverse("support:article_detail", args=[article.pk])

    seller = make_user("sales", username="seller")
    client.force_login(seller)
    assert client.get(reverse("support:article_detail", args=[article.pk])).status_code == 200
    assert client.get(reverse("support:article_edit", args=[article.pk])).status_code == 403


def test_a_bad_article_form_keeps_what_was_typed(client, agent):
    client.force_login(agent)
    response = client.post(
        reverse("support:article_create"),
        {"title": "", "language": "xx", "status": "draft", "body": "Keep me"},
    )
    assert response.status_code == 400
    assert "Keep me" in response.content.decode()
    assert not Article.objects.exists()


def test_editing_with_an_old_version_is_refused(client, agent):
    article = write(agent)
    knowledge.update_article(article, actor=agent, body="Newer")
    client.force_login(agent)
    response = client.post(
        reverse("support:article_edit", args=[article.pk]),
        {
            "title": article.title,
            "language": "en",
            "status": "published",
            "body": "Mine",
            "version": 1,
        },
    )
    assert response.status_code == 409
    article.refresh_from_db()
    assert article.body == "Newer"


def test_the_case_page_suggests_articles_sharing_its_words(client, agent):
    from clientela.support.services import cases

    write(agent, title="Return a broken lamp", body="Lamps that arrive broken.")
    write(agent, title="Lamp colours", body="Warm or cold light.")
    write(agent, title="Broken lamp draft", status=ArticleStatus.DRAFT)
    write(agent, title="Invoices", body="Monthly.")
    case = cases.create_case(actor=agent, subject="My lamp arrived broken", description="Help")
    client.force_login(agent)

    response = client.get(reverse("support:case_articles", args=[case.pk]))

    suggested = response.context["suggested_articles"]
    assert [a.title for a in suggested] == ["Return a broken lamp", "Lamp colours"]
    assert b"Broken lamp draft" not in response.content


def test_the_case_page_links_to_its_suggested_articles_and_loads_them_later(client, agent):
    from clientela.support.services import cases

    write(agent, title="Return a broken lamp", body="Lamps that arrive broken.")
    case = cases.create_case(actor=agent, subject="My lamp arrived broken", description="Help")
    client.force_login(agent)

    page = client.get(reverse("support:case_detail", args=[case.pk])).content.decode()

    url = reverse("support:case_articles", args=[case.pk])
    assert f'data-case-articles="{url}"' in page  # the script loads them from there
    assert f'<a href="{url}">' in page  # without it, a link
    assert "Return a broken lamp" not in page


def test_a_case_without_matching_articles_says_so(client, agent):
    from clientela.support.services import cases

    case = cases.create_case(actor=agent, subject="Zzzz qqqq", description="Help")
    client.force_login(agent)

    response = client.get(reverse("support:case_articles", args=[case.pk]))

    assert response.status_code == 200
    assert response.context["suggested_articles"] == []
    assert b"No published article shares words" in response.content


def test_suggested_articles_of_a_case_out_of_reach_are_not_found(client, agent, make_user):
    from clientela.support.services import cases

    case = cases.create_case(actor=agent, subject="My lamp", description="Help", owner=agent)
    client.force_login(make_user("service", username="loner", scope="own"))
    assert client.get(reverse("support:case_articles", args=[case.pk])).status_code == 404
    assert client.get(f"/cases/{case.pk}9999999999999/articles/").status_code == 404
    assert client.get("/cases/abc/articles/").status_code == 404


def test_the_teams_article_list_filters_as_the_api_does(client, agent):
    write(agent, title="Returns", status=ArticleStatus.DRAFT)
    write(agent, title="Devolucions", language="ca")
    client.force_login(agent)

    def titles(**query):
        response = client.get(reverse("support:article_list"), query)
        return [a.title for a in response.context["articles"]]

    assert titles() == ["Devolucions", "Returns"]  # drafts too, for the team
    assert titles(language="ca") == ["Devolucions"]
    assert titles(q="returns", status="draft") == ["Returns"]
    assert titles(language="xx") == ["Devolucions", "Returns"]  # ignored, as on other lists
