"""Text normalisation shared by search and sorting."""

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Everything that is not a letter or a digit separates words (underscore included, so that
# both search engines split "foo_bar" the same way).
_SEPARATORS = re.compile(r"[\W_]+")
_PHONE_QUERY = re.compile(r"\+?[\d\s().-]+")
MAX_TERM_LENGTH = 60  # longer words are cut: no real name, e-mail part or phone is longer
# "\x7f" sorts after every letter and digit in a binary ("C") collation: "ñ" comes after "nz".
_AFTER_N = "n\x7f"
_SORT_SEPARATORS = re.compile(r"[^\w\x7f]+|_+")


@functools.cache
def _combining():
    """Every combining mark (what ``unicodedata.combining`` flags) as one character class:
    removing them with a regular expression is many times faster than testing character by
    character. Built on first use (scanning Unicode takes a tenth of a second)."""
    marks = (chr(c) for c in range(0x110000) if unicodedata.combining(chr(c)))
    return re.compile("[" + "".join(map(re.escape, marks)) + "]")


def normalize(text):
    """Lower case without accents or repeated spaces: what the search index stores and matches."""
    text = str(text or "")
    if text.isascii():  # most names, addresses and e-mails: nothing to decompose
        return _SPACES.sub(" ", text.lower()).strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _SPACES.sub(" ", _combining().sub("", decomposed)).strip()


def sort_key(text, max_length=300):
    """A key that orders names the Spanish way under a binary ("C") collation.

    Accents and case are ignored, "ñ" is a letter of its own between "n" and "o" (Munuera <
    Muñoz < Muro), punctuation counts as a space and a space sorts before any letter, so
    "García López" < "García Martínez" < "Garcíaz". Sort columns use the "C" collation on
    PostgreSQL (``SortKeyField``); SQLite compares bytes already.
    """
    return _sort_key(str(text or ""))[:max_length]


@functools.lru_cache(maxsize=65536)  # names repeat: an import sorts the same ones many times
def _sort_key(text):
    text = unicodedata.normalize("NFC", text).casefold().replace("ñ", _AFTER_N)
    return " ".join(_SORT_SEPARATORS.sub(" ", normalize(text)).split())


def search_terms(query, max_terms=8):
    """Split a user query into normalised word prefixes (letters and digits only).

    Nothing of the index syntax survives (quotes, ``*``, parentheses, operators are dropped;
    words are then quoted by the search backend). A query that looks like a phone number
    ("600 12 34 56", "+34 600-123-456", "0034 600123456") becomes one run of digits, which is
    how phone numbers are indexed.
    """
    query = str(query or "")
    if _PHONE_QUERY.fullmatch(query.strip()):
        digits = re.sub(r"\D", "", query)
        if len(digits) >= 6:
            if digits.startswith("00"):
                digits = digits[2:]
            return [digits[:MAX_TERM_LENGTH]]
    words = _SEPARATORS.sub(" ", normalize(query)).split()
    return [w[:MAX_TERM_LENGTH] for w in words[:max_terms]]
