from django.core.checks import Warning, register
from django.db import connection


@register()
def sqlite_fts5_available(app_configs, **kwargs):
    """The SQLite build must have FTS5 for the search index."""
    if connection.vendor != "sqlite":
        return []
    import sqlite3

    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return [Warning("This SQLite has no FTS5: search will not work.", id="clientela.W001")]
    finally:
        probe.close()
    return []
