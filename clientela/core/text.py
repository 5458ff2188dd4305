"""Text normalisation shared by search and sorting."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalize(text):
    """Lower case without accents or repeated spaces: what the search index stores and matches."""
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped).strip()


def sort_key(text):
    """Like ``normalize`` but keeps Spanish order: "ñ" after "n" (Muñoz after Munuera)."""
    return normalize(str(text or "").casefold().replace("ñ", "n\x7f"))[:300]


def search_terms(query, max_terms=8):
    """Split a user query into normalised word prefixes, dropping index syntax characters."""
    words = re.findall(r"[\w@.+-]+", normalize(query))
    terms = []
    for word in words:
        terms.extend(t for t in re.split(r"[@.+-]+", word) if t)
    return terms[:max_terms]
