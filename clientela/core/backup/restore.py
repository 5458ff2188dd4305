"""Load an account export into an empty installation (``clientela import all FILE``).

The file is checked whole before anything is written: a zip whose member names stay inside,
sizes and checksums that match the manifest, a format this code reads, the same database
schema, known models with the same columns. Then, in one transaction, the rows the migrations
seeded are replaced by the file's, every row is inserted with its primary key (foreign keys
are deferred to the commit, so cycles and self-references need no second pass), constraints
are checked, sequences reset and the search index rebuilt. Any failure rolls everything back:
the database is left as it was (empty).
"""

import hashlib
import json
from contextlib import contextmanager
from pathlib import Path

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.contenttypes.management import create_contenttypes
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.core.backup import checks, format
from clientela.core.backup.format import BackupError

MAX_LINE_BYTES = 64 * 1024 * 1024  # one row; far above any real record
ROWS_PER_PROGRESS = 10000
RESTORE_FLAG = "restored_from_backup"


# --- loading --------------------------------------------------------------------------------


def _read_rows(archive, member_name, label):
    with archive.open(member_name) as member:
        number = 0
        while line := member.readline(MAX_LINE_BYTES + 1):
            number += 1
            if len(line) > MAX_LINE_BYTES:
                raise BackupError(
                    _("%(model)s, line %(line)d is too long.") % {"model": label, "line": number}
                )
            try:
                row = json.loads(line)
            except ValueError:
                raise BackupError(
                    _("%(model)s, line %(line)d is not valid JSON.")
                    % {"model": label, "line": number}
                ) from None
            yield number, row


def _insert_model(archive, model, entry, progress):
    fields = format.columns(model)
    names = [f.attname for f in fields]
    label = format.label_of(model)
    quote = connection.ops.quote_name
    # Table and column names come from the models, quoted; values are parameters.
    column_list = ", ".join(quote(f.column) for f in fields)
    head = f"INSERT INTO {quote(model._meta.db_table)} ({column_list}) VALUES "  # noqa: S608
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    if connection.vendor == "sqlite":
        # One prepared statement run for each row of the batch, inside SQLite's C loop (a
        # multi-row VALUES would be capped at 999 parameters).
        per_batch = 1000

        def flush(cursor, batch):
            cursor.executemany(head + row_sql, batch)

    else:
        per_batch = max(1, min(500, 30000 // len(fields)))

        def flush(cursor, batch):
            cursor.execute(head + ", ".join([row_sql] * len(batch)), [v for r in batch for v in r])

    count, batch = 0, []

    with connection.cursor() as cursor:
        for number, row in _read_rows(archive, entry["file"], label):
            if not isinstance(row, dict) or set(row) != set(names):
                raise BackupError(
                    _("%(model)s, line %(line)d does not have the expected columns.")
                    % {"model": label, "line": number}
                )
            try:
                batch.append(
                    [
                        field.get_db_prep_save(format.decode(field, row[name]), connection)
                        for field, name in zip(fields, names, strict=True)
                    ]
                )
            except (ValueError, TypeError, ArithmeticError) as error:
                raise BackupError(
                    _("%(model)s, line %(line)d: %(error)s")
                    % {"model": label, "line": number, "error": error}
                ) from None
            except ValidationError as error:
                raise BackupError(
                    _("%(model)s, line %(line)d: %(error)s")
                    % {"model": label, "line": number, "error": "; ".join(error.messages)}
                ) from None
            count += 1
            if len(batch) == per_batch:
                flush(cursor, batch)
                batch = []
            if count % ROWS_PER_PROGRESS == 0:
                progress(f"{label}: {count}")
        if batch:
            flush(cursor, batch)
    if count != entry.get("rows"):
        raise BackupError(
            _("%(model)s has %(found)d rows; the manifest says %(expected)s.")
            % {"model": label, "found": count, "expected": entry.get("rows")}
        )
    return count


def _remove_seeded_rows(models):
    """The rows migrations created (built-in roles, default pipeline...) make way for the
    file's, which include them as the account had them."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in reversed(models):
            if format.label_of(model) in format.SEEDED_MODELS:
                cursor.execute(f"DELETE FROM {quote(model._meta.db_table)}")  # noqa: S608


def _reset_sequences(models):
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _rebuild_search(progress):
    from clientela.core import search

    for entity in search.entities().values():
        progress(_("Rebuilding the search index: %(entity)s") % {"entity": entity.name})
        search.index_records(entity.model.all_objects.all())


def _stored_checksum(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as stored:
        while chunk := stored.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _restoring_files(archive, manifest):
    """Write the stored files; remove them again if the restore fails."""
    from django.core.files.storage import default_storage

    written = []
    try:
        for member_name in manifest["files"]:
            name = member_name[len(format.FILES_DIR) :]
            if not member_name.startswith(format.FILES_DIR) or not format.is_safe_member(name):
                raise BackupError(
                    _("Unsafe file name in the export: %(name)s") % {"name": member_name}
                )
            if default_storage.exists(name):
                if _stored_checksum(default_storage, name) == manifest["files"][member_name].get(
                    "sha256"
                ):
                    continue  # the same file already there (restoring into the same data folder)
                raise BackupError(
                    _(
                        "A different file named %(name)s is already stored: restore into a new "
                        "data folder."
                    )
                    % {"name": name}
                )
            with archive.open(member_name) as source:
                saved = default_storage.save(name, source)
            written.append(saved)
        yield
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def restore(path, *, progress=None, registry=None):
    """Restore the export at ``path`` into this (empty) installation; return {label: rows}.

    With ``registry`` (the models of an older schema, from ``prepare_database``) the rows go
    into the tables as that schema has them; the caller then migrates and calls
    ``finish_after_upgrade``.
    """
    progress = progress or (lambda message: None)
    older = registry is not None
    archive, manifest, models = checks.check_file(path, progress=progress, registry=registry)
    counts = {}
    with archive:
        try:
            with transaction.atomic(), _restoring_files(archive, manifest):
                checks.check_empty(models)  # again, now that the write lock is held
                _remove_seeded_rows(models)
                for model in models:
                    entry = manifest["models"].get(format.label_of(model))
                    if entry is None:
                        continue
                    progress(f"{format.label_of(model)}: {entry['rows']}")
                    counts[format.label_of(model)] = _insert_model(archive, model, entry, progress)
                progress(_("Checking relations…"))
                connection.check_constraints()
                _reset_sequences(models)
                ContentType.objects.clear_cache()
                if not older:  # else after the upgrade: the code's models need its schema
                    _rebuild_search(progress)
                _record_restore(path, manifest, registry or apps)
        except DatabaseError as error:
            raise BackupError(
                _("The restore failed and nothing was kept: %(error)s") % {"error": error}
            ) from None
        finally:
            ContentType.objects.clear_cache()
    if not older:
        _complete_content_types()
    return counts


def prepare_database(path):
    """Before restoring a file from an older version into a brand-new database: create the
    tables as that version had them, so the rows fit, and return the models of that schema
    (a registry for ``restore``). ``None`` when there is nothing to prepare — the database
    has tables already, or the file's schema is this code's — and ``migrate`` is run instead.

    Upgrading the restored data is then the ordinary upgrade, data migrations included.
    """
    from django.core.management import call_command
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.recorder import MigrationRecorder

    if (
        MigrationRecorder(connection).has_table()
        and MigrationRecorder(connection).migration_qs.exists()
    ):
        return None
    with checks.open_zip(path) as archive:
        manifest = checks.read_manifest(archive)
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    wanted = {
        (app_label, name)
        for app_label, value in manifest["schema"].items()
        for name in format.schema_leaves(value)
    }
    if not wanted <= set(graph.nodes):
        return None  # newer than the code: the checks say so
    code = {node for node in graph.leaf_nodes() if node[0] in manifest["schema"]}
    if wanted == code:
        return None
    for app_label, name in sorted(wanted):
        call_command("migrate", app_label, name, interactive=False, verbosity=0)
    loader = MigrationLoader(connection)
    return loader.project_state(nodes=sorted(wanted), at_end=True).apps


def finish_after_upgrade(progress=None):
    """After ``migrate`` brought a restored older file up to date: what ``restore`` leaves
    for the code's own models (the search index, missing content types)."""
    progress = progress or (lambda message: None)
    with transaction.atomic():
        _rebuild_search(progress)
    _complete_content_types()


def _record_restore(path, manifest, registry):
    """The one trace of the restore itself: history records changes people make, and a
    restore changes no record, so a ``core.Flag`` keeps when and from what it happened."""
    flag = registry.get_model("core", "Flag")
    flag.objects.update_or_create(
        name=RESTORE_FLAG,
        defaults={
            "value": {
                "file": Path(path).name,
                "exported_at": manifest.get("created_at"),
                "exported_by_version": manifest.get("clientela_version"),
                "exported_from": manifest.get("database"),
                "restored_at": timezone.now().isoformat(),
            }
        },
    )


def _complete_content_types():
    """Content types and permissions of models the file had none for (an app whose rows
    were all stale) come back as ``migrate`` would create them."""
    for app_config in apps.get_app_configs():
        create_contenttypes(app_config, verbosity=0)
        create_permissions(app_config, verbosity=0)
