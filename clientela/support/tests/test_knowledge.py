"""Knowledge-base articles: Markdown made safe, versions, translations, votes, search."""

from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError

from clientela.core import search
from clientela.core.records import StaleRecord
from clientela.support import markdown
from clientela.support.models import Article, ArticleCategory, ArticleStatus
from clientela.support.services import knowledge


@pytest.fixture
def returns(db):
    return ArticleCategory.objects.create(name="Returns", slug="returns")


def write(actor, **fields):
    fields.setdefault("title", "How to return a product")
    fields.setdefault("body", "Send it **within 30 days** to our shop.")
    fields.setdefault("language", "en")
    return knowledge.create_article(actor=actor, **fields)


class _Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize(
    "text",
    [
        '<script>alert("x")</script>',
        '<img src=x onerror="alert(1)">',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        '<a href="https://x.es" onclick="steal()">x</a>',
        "<style>body{display:none}</style>",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        '[x](https://x.es "title" onclick=1)',
    ],
)
def test_markdown_never_carries_scripts(text):
    for tag, attributes in _Elements(markdown.render(text)).found:
        assert tag not in ("script", "style", "iframe", "object")
        assert not any(name.startswith("on") for name in attributes)
        for name in ("href", "src"):
            assert attributes.get(name, "https:").split(":")[0].lower() in ("https", "http")


def test_markdown_keeps_what_articles_need():
    text = "# Returns\n\n1. **Pack** it\n2. [Write to us](mailto:a@b.es)\n\n| a |\n|---|\n| 1 |"
    html = markdown.render(text)
    assert "<h1>Returns</h1>" in html and "<strong>Pack</strong>" in html
    assert 'href="mailto:a@b.es"' in html and "<table>" in html


def test_every_change_of_text_is_a_version_and_can_be_reverted(admin_user, returns):
    article = write(admin_user, category=returns)
    article = knowledge.update_article(article, actor=admin_user, body="Within 15 days now.")
    article = knowledge.update_article(article, actor=admin_user, internal=True)  # no new text

    assert article.version == 2
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]

    article = knowledge.revert_article(article, 1, actor=admin_user)
    assert (article.version, article.body) == (3, "Send it **within 30 days** to our shop.")


def test_a_stale_edit_is_refused(admin_user):
    article = write(admin_user)
    knowledge.update_article(article, actor=admin_user, body="New text.")
    with pytest.raises(StaleRecord):
        knowledge.update_article(article, actor=admin_user, expected_version=1, body="Old view.")


def test_translations_are_linked_and_one_per_language(admin_user, returns):
    english = write(admin_user, category=returns)
    catalan = knowledge.create_article(
        actor=admin_user,
        translation_of=english,
        language="ca",
        title="Com retornar un producte",
        body="Envia'l en 30 dies.",
    )
    assert catalan.category == returns
    assert list(knowledge.translations_of(english)) == [catalan]
    with pytest.raises(ValidationError) as raised:
        knowledge.create_article(
            actor=admin_user, translation_of=english, language="ca", title="Una altra", body="x"
        )
    assert "language" in raised.value.message_dict


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"title": "   "}, "title"),
        ({"body": "x" * 200_001}, "body"),
        ({"language": "fr"}, "language"),
        ({"status": "live"}, "status"),
        ({"views": 7}, "views"),
    ],
)
def test_bad_articles_are_refused(admin_user, fields, error):
    with pytest.raises(ValidationError) as raised:
        write(admin_user, **fields)
    assert error in raised.value.message_dict
    assert not Article.objects.exists()


def test_the_same_address_twice_in_a_language_is_refused(admin_user):
    write(admin_user)
    with pytest.raises(ValidationError) as raised:
        write(admin_user)
    assert "slug" in raised.value.message_dict


def test_one_vote_per_reader_which_they_may_change(admin_user):
    article = write(admin_user, status=ArticleStatus.PUBLISHED)
    reader = knowledge.voter_key("session-1")

    knowledge.vote_on_article(article, voter=reader, helpful=True)
    knowledge.vote_on_article(article, voter=reader, helpful=True)
    knowledge.vote_on_article(article, voter=knowledge.voter_key("session-2"), helpful=True)
    article.refresh_from_db()
    assert (article.helpful_votes, article.unhelpful_votes) == (2, 0)

    knowledge.vote_on_article(article, voter=reader, helpful=False)
    article.refresh_from_db()
    assert (article.helpful_votes, article.unhelpful_votes) == (1, 1)
    assert "session-1" not in reader


def test_articles_are_found_by_their_words(admin_user):
    article = write(admin_user, body="Devolucions: envia el paquet **amb l'albarà**.")

    def found(query):
        return set(Article.objects.filter(pk__in=search.matching_ids(Article, query)))

    assert found("albara") == {article}
    knowledge.delete_article(article, actor=admin_user)
    assert found("albara") == set()
