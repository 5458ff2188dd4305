from django.db import models


class SearchEntry(models.Model):
    """One searchable record in the global index.

    ``text`` is normalised (lower case, no accents) so that "Muñoz", "munoz" and "MUÑOZ" match.
    SQLite keeps an FTS5 table over it (created in a migration); PostgreSQL a GIN tsvector index.
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
