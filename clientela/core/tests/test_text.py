import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from clientela.core.text import MAX_TERM_LENGTH, normalize, search_terms, sort_key


def test_normalize_drops_case_accents_and_repeated_spaces():
    assert normalize("  MUÑOZ   Álvarez\tÇ ") == "munoz alvarez c"


def test_sort_key_puts_n_tilde_between_n_and_o():
    names = ["Muro", "Muñoz", "Munuera", "Nzeta", "Ñandú", "Oliva", "Muñiz"]
    assert sorted(names, key=sort_key) == [
        "Munuera",
        "Muñiz",
        "Muñoz",
        "Muro",
        "Nzeta",
        "Ñandú",
        "Oliva",
    ]


def test_sort_key_orders_double_surnames_before_longer_words():
    names = ["Garcíaz", "García Martínez", "García López", "Garcia"]
    assert sorted(names, key=sort_key) == ["Garcia", "García López", "García Martínez", "Garcíaz"]


def test_sort_key_ignores_accents_and_case():
    assert sort_key("ÁLVAREZ") == sort_key("alvarez") == "alvarez"


def test_sort_key_treats_decomposed_n_tilde_like_composed():
    assert sort_key(unicodedata.normalize("NFD", "Muñoz")) == sort_key("Muñoz") == "mun\x7foz"


def test_sort_key_turns_punctuation_into_single_spaces():
    assert sort_key("García-López,  O'Brien") == "garcia lopez o brien"


def test_sort_key_is_cut_to_the_requested_length():
    assert sort_key("ß" * 200, 200) == "s" * 200


def test_search_terms_keep_only_letters_and_digits():
    assert search_terms('"ana" AND (garc*) NEAR/2 -x') == ["ana", "and", "garc", "near", "2", "x"]


def test_search_terms_split_emails_into_words():
    assert search_terms("Ana.García@Example.ES") == ["ana", "garcia", "example", "es"]


def test_search_terms_split_underscores_like_the_index():
    assert search_terms("foo_bar") == ["foo", "bar"]


def test_search_terms_of_sql_injection_text_are_plain_words():
    assert search_terms("'; DROP TABLE core_searchentry; --") == [
        "drop",
        "table",
        "core",
        "searchentry",
    ]


def test_search_terms_of_only_symbols_and_emoji_are_empty():
    assert search_terms('*" () 😀 -- ;') == []


def test_search_terms_cap_the_number_and_length_of_words():
    assert search_terms("a " * 20) == ["a"] * 8
    assert search_terms("x" * 10_000) == ["x" * MAX_TERM_LENGTH]


def test_phone_like_query_becomes_one_run_of_digits():
    assert search_terms("600 12 34 56") == ["600123456"]
    assert search_terms("+34 (600) 123-456") == ["34600123456"]
    assert search_terms("0034 600 123 456") == ["34600123456"]


def test_short_numbers_stay_separate_words():
    assert search_terms("Calle 5 28") == ["calle", "5", "28"]
    assert search_terms("12 34") == ["12", "34"]


@given(st.text(max_size=300))
def test_sort_key_never_raises_and_stays_bounded(text):
    key = sort_key(text)
    assert isinstance(key, str)
    assert len(key) <= 300
    assert "\x00" not in key


@given(st.text(max_size=500))
def test_search_terms_never_raise_and_give_plain_words(text):
    terms = search_terms(text)
    assert len(terms) <= 8
    assert all(t and len(t) <= MAX_TERM_LENGTH for t in terms)
    assert all(t.isalnum() for t in terms)


@given(st.text(max_size=300))
def test_index_text_word_by_word_equals_normalising_the_whole_text(text):
    from clientela.core.search import _SEPARATORS, _index_text

    assert _index_text(text) == _SEPARATORS.sub(" ", normalize(text)).strip()


def test_index_text_of_accented_names_and_addresses():
    from clientela.core.search import _index_text

    text = "Núria  GARCÍA-Puig ana.garcia@x.es ½"
    assert _index_text(text) == "nuria garcia puig ana garcia x es 1 2"
