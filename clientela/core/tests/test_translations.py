"""Spanish and Catalan ship complete: every string of the catalogues is translated, none is left
fuzzy, and the compiled ``.mo`` files (what Django reads) match their ``.po`` sources."""

import ast
import gettext
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["es", "ca"]


def parse_po(path):
    """``[(flags, {"msgctxt": ..., "msgid": ..., "msgstr": ..., "msgstr[0]": ...})]``."""
    entries, flags, fields, key = [], set(), {}, None

    def close():
        if fields:
            entries.append((flags, fields))

    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            close()
            flags, fields, key = set(), {}, None
        elif line.startswith("#,"):
            flags = flags | {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            fields[key] += ast.literal_eval(line)
        else:
            key, _sep, text = line.partition(" ")
            fields[key] = ast.literal_eval(text)
    close()
    return [(f, e) for f, e in entries if e.get("msgid")]  # the header has an empty msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(LOCALE / language / "LC_MESSAGES" / "django.po")

    assert len(entries) > 500
    fuzzy = [e["msgid"] for flags, e in entries if "fuzzy" in flags]
    untranslated = [
        e["msgid"]
        for _flags, e in entries
        if not all(value for key, value in e.items() if key.startswith("msgstr"))
    ]
    assert fuzzy == []
    assert untranslated == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_its_source(language):
    folder = LOCALE / language / "LC_MESSAGES"
    with (folder / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)

    for _flags, entry in parse_po(folder / "django.po"):
        if "msgid_plural" in entry:
            continue
        msgid = entry["msgid"]
        if "msgctxt" in entry:
            assert catalogue.pgettext(entry["msgctxt"], msgid) == entry["msgstr"], msgid
        else:
            assert catalogue.gettext(msgid) == entry["msgstr"], msgid
