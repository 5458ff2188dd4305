from django.db import models


class SearchEntry(models.Model):
    """One searchable record in the global index.

    ``text`` is normalised (lower case, no accents, words split by single spaces) so that
    "Muñoz", "munoz" and "MUÑOZ" match. SQLite keeps an FTS5 table over it, PostgreSQL the
    ``SearchWord`` table; database triggers (core's migrations) keep both in step with it.
    ``owner_id``/``team_id`` are copied so permission scopes filter inside the index query.
    """

    entity = models.CharField(max_length=30)
    object_id = models.BigIntegerField()
    title = models.CharField(max_length=300)
    subtitle = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    owner_id = models.BigIntegerField(null=True)
    team_id = models.BigIntegerField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entity", "object_id"], name="core_searchentry_object")
        ]

    def __str__(self):
        return self.title


class SearchWord(models.Model):
    """PostgreSQL only: one row per distinct word of each entry, in byte order ("C" collation).

    A prefix ("gar") is then a range of the primary key read in order, so a typeahead stops
    after the rows it shows instead of collecting every match first, as a GIN index must (tens
    of milliseconds for a common prefix at a million contacts). Written only by triggers on
    ``SearchEntry`` (migration 0003), never by Django; SQLite has FTS5 instead and no such table.
    """

    pk = models.CompositePrimaryKey("word", "entry")
    word = models.CharField(max_length=64)
    entry = models.ForeignKey(
        SearchEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        managed = False
        db_table = "core_searchword"

    def __str__(self):
        return self.word
