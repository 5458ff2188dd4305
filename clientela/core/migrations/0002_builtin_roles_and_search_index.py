"""The search index engines (the built-in roles are created by core.roles after migrate)."""

from django.db import migrations

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE core_searchentry_fts USING fts5(text, content='core_searchentry', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 2\", prefix='2 3 4')",
    "CREATE TRIGGER core_searchentry_ai AFTER INSERT ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER core_searchentry_ad AFTER DELETE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER core_searchentry_au AFTER UPDATE ON core_searchentry BEGIN "
    "INSERT INTO core_searchentry_fts(core_searchentry_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO core_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
]
SQLITE_FTS_REVERSE = [
    "DROP TRIGGER IF EXISTS core_searchentry_au",
    "DROP TRIGGER IF EXISTS core_searchentry_ad",
    "DROP TRIGGER IF EXISTS core_searchentry_ai",
    "DROP TABLE IF EXISTS core_searchentry_fts",
]
POSTGRES_INDEX = [
    "CREATE INDEX core_searchentry_tsv ON core_searchentry "
    "USING gin (to_tsvector('simple', text))",
]
POSTGRES_INDEX_REVERSE = ["DROP INDEX IF EXISTS core_searchentry_tsv"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FTS, "postgresql": POSTGRES_INDEX}),
            _run({"sqlite": SQLITE_FTS_REVERSE, "postgresql": POSTGRES_INDEX_REVERSE}),
        ),
    ]
