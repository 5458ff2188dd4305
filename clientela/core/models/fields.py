from django.db import models


class SortKeyField(models.CharField):
    """A column holding ``text.sort_key`` values, compared byte by byte.

    The keys rely on binary order (a space before letters, "ñ" as ``n\\x7f`` after "nz").
    SQLite compares bytes already; on PostgreSQL the column gets the "C" collation, because a
    database created with a locale (``en_US.UTF-8``, ICU) ignores spaces and control characters
    and would put Muñoz before Munuera. Indexes on the column then serve ``ORDER BY`` directly.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
