"""PostgreSQL search: a word table read by prefix ranges replaces the GIN tsvector index.

``core_searchword`` holds each distinct word of each search entry in byte order; triggers keep it
in step with ``core_searchentry`` (insert, change of text, delete, truncate) the way SQLite's FTS5
triggers do. Existing entries are copied in. SQLite is untouched.
"""

import django.db.models.deletion
from django.db import migrations, models

WORDS_OF_NEW_ENTRY = (
    "INSERT INTO core_searchword (word, entry_id) "
    "SELECT DISTINCT left(w, 64), NEW.id FROM unnest(string_to_array(NEW.text, ' ')) AS w "
    "WHERE w <> ''"
)
POSTGRES = [
    'CREATE TABLE core_searchword (word varchar(64) COLLATE "C" NOT NULL, '
    "entry_id bigint NOT NULL, PRIMARY KEY (word, entry_id))",
    "CREATE INDEX core_searchword_entry ON core_searchword (entry_id, word)",
    f"""CREATE FUNCTION core_searchword_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN
            TRUNCATE core_searchword;
            RETURN NULL;
        END IF;
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            DELETE FROM core_searchword WHERE entry_id = OLD.id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            {WORDS_OF_NEW_ENTRY};
        END IF;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER core_searchword_rows AFTER INSERT OR DELETE OR UPDATE OF text "
    "ON core_searchentry FOR EACH ROW EXECUTE FUNCTION core_searchword_sync()",
    "CREATE TRIGGER core_searchword_truncate AFTER TRUNCATE ON core_searchentry "
    "FOR EACH STATEMENT EXECUTE FUNCTION core_searchword_sync()",
    "INSERT INTO core_searchword (word, entry_id) "
    "SELECT DISTINCT left(w, 64), e.id FROM core_searchentry e, "
    "unnest(string_to_array(e.text, ' ')) AS w WHERE w <> ''",
    "ANALYZE core_searchword",  # the planner must know how many words a prefix spans
    "DROP INDEX IF EXISTS core_searchentry_tsv",
]
POSTGRES_REVERSE = [
    "CREATE INDEX core_searchentry_tsv ON core_searchentry "
    "USING gin (to_tsvector('simple', text))",
    "DROP TRIGGER IF EXISTS core_searchword_truncate ON core_searchentry",
    "DROP TRIGGER IF EXISTS core_searchword_rows ON core_searchentry",
    "DROP FUNCTION IF EXISTS core_searchword_sync()",
    "DROP TABLE IF EXISTS core_searchword",
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0002_builtin_roles_and_search_index")]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "word", "entry", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("word", models.CharField(max_length=64)),
                (
                    "entry",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="core.searchentry",
                    ),
                ),
            ],
            options={"db_table": "core_searchword", "managed": False},
        ),
        migrations.RunPython(_on_postgresql(POSTGRES), _on_postgresql(POSTGRES_REVERSE)),
    ]
