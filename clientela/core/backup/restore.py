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
import zipfile
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

from clientela.core.backup import format
from clientela.core.backup.format import BackupError

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_LINE_BYTES = 64 * 1024 * 1024  # one row; far above any real record
# Deflate packs JSON lines about 5-20 times; a member packed far tighter is a zip bomb.
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024
ROWS_PER_PROGRESS = 10000
RESTORE_FLAG = "restored_from_backup"


def _open_zip(path):
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(_("%(path)s: no such file.") % {"path": path}) from None
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(
            _("%(path)s is not a Clientela export or it is damaged (%(error)s).")
            % {"path": path, "error": error}
        ) from None


def _read_manifest(archive):
    try:
        info = archive.getinfo(format.MANIFEST)
    except KeyError:
        raise BackupError(
            _("The file has no manifest.json: it is not a Clientela export.")
        ) from None
    if info.file_size > MAX_MANIFEST_BYTES:
        raise BackupError(_("The manifest is too large to be a Clientela manifest."))
    try:
        with archive.open(info) as member:
            manifest = json.loads(member.read(MAX_MANIFEST_BYTES + 1))
    except (ValueError, zipfile.BadZipFile, OSError) as error:
        raise BackupError(
            _("The manifest cannot be read (%(error)s).") % {"error": error}
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != format.FORMAT_NAME:
        raise BackupError(_("The manifest is not a Clientela export's manifest."))
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > format.FORMAT_VERSION:
        raise BackupError(
            _(
                "The file uses export format %(found)s; this version of Clientela reads format "
                "%(known)s. Upgrade Clientela to restore it."
            )
            % {"found": version, "known": format.FORMAT_VERSION}
        )
    for key in ("models", "files", "lists", "schema"):
        if not isinstance(manifest.get(key), dict):
            raise BackupError(_("The manifest has no valid “%(key)s” section.") % {"key": key})
    return manifest


def _expected_members(manifest):
    expected = {format.MANIFEST: None}
    for label, entry in manifest["models"].items():
        if not isinstance(entry, dict) or entry.get("file") != f"{format.DATA_DIR}{label}.jsonl":
            raise BackupError(
                _("The manifest's entry for %(model)s is invalid.") % {"model": label}
            )
        expected[entry["file"]] = entry
    for section in ("files", "lists"):
        for name, entry in manifest[section].items():
            if not isinstance(entry, dict):
                raise BackupError(
                    _("The manifest's entry for %(name)s is invalid.") % {"name": name}
                )
            expected[name] = entry
    return expected


def _check_members(archive, manifest):
    """Names that stay inside, nothing unlisted or missing, sizes as declared, no bombs."""
    expected = _expected_members(manifest)
    seen = set()
    for info in archive.infolist():
        name = info.filename
        if not format.is_safe_member(name) or name in seen:
            raise BackupError(
                _("The file holds an unsafe or repeated name: %(name)s") % {"name": name}
            )
        seen.add(name)
        if name not in expected:
            raise BackupError(
                _("The file holds %(name)s, which its manifest does not list.") % {"name": name}
            )
        entry = expected[name]
        if entry is not None and info.file_size != entry.get("bytes"):
            raise BackupError(
                _("%(name)s does not have the size its manifest says.") % {"name": name}
            )
        if info.file_size > RATIO_CHECKED_ABOVE and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            raise BackupError(
                _("%(name)s expands far beyond its packed size (a zip bomb?).") % {"name": name}
            )
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(_("The file lacks %(names)s.") % {"names": ", ".join(missing)})
    for name, entry in expected.items():
        if entry is not None:
            _verify_checksum(archive, name, entry)


def _verify_checksum(archive, name, entry):
    digest, size = hashlib.sha256(), 0
    try:
        with archive.open(name) as member:
            while chunk := member.read(1024 * 1024):
                size += len(chunk)
                if size > entry["bytes"]:
                    break
                digest.update(chunk)
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        raise BackupError(
            _("%(name)s is damaged (%(error)s).") % {"name": name, "error": error}
        ) from None
    if size != entry["bytes"] or digest.hexdigest() != entry.get("sha256"):
        raise BackupError(
            _("%(name)s does not match its checksum: the file was changed or damaged.")
            % {"name": name}
        )


def _check_schema(manifest, models):
    """The file's models, columns and migrations must be this installation's."""
    current = format.current_schema(connection, {m._meta.app_label for m in models})
    version = manifest.get("clientela_version", "?")
    from django.db.migrations.loader import MigrationLoader

    known = MigrationLoader(None, ignore_no_migrations=True).graph.nodes
    older = False
    for app_label, value in manifest["schema"].items():
        leaves = format.schema_leaves(value)
        if any((app_label, name) not in known for name in leaves):
            raise BackupError(
                _(
                    "This file was written by Clientela %(version)s, whose database schema is "
                    "newer than this installation's (%(app)s: %(migration)s). Upgrade Clientela "
                    "to restore it."
                )
                % {"version": version, "app": app_label, "migration": ", ".join(sorted(leaves))}
            )
        if leaves != format.schema_leaves(current.get(app_label, [])):
            older = True
    if older or set(current) - set(manifest["schema"]):
        raise BackupError(
            _(
                "This file was written by Clientela %(version)s, whose database schema is older "
                "than this database's. Restore it into a new database whose tables are not "
                "created yet: clientela import all then creates them as they were in "
                "%(version)s, restores the file and upgrades it."
            )
            % {"version": version}
        )
    by_label = {format.label_of(m): m for m in models}
    missing = sorted(set(by_label) - set(manifest["models"]))
    if missing:
        raise BackupError(
            _("The file has no data for %(models)s: it is incomplete.")
            % {"models": ", ".join(missing)}
        )
    for label, entry in manifest["models"].items():
        model = by_label.get(label)
        if model is None:
            raise BackupError(
                _("The file holds data for %(model)s, which this installation does not know.")
                % {"model": label}
            )
        # As sets: a schema built from migrations orders added columns last.
        if set(entry.get("fields") or ()) != set(format.column_names(model)):
            raise BackupError(
                _("The columns of %(model)s in the file differ from this installation's.")
                % {"model": label}
            )


def non_empty_models(models=None):
    """Labels of the models holding rows a fresh installation would not have."""
    models = models if models is not None else format.exported_models()
    return [
        format.label_of(m)
        for m in models
        if format.label_of(m) not in format.SEEDED_MODELS and m._base_manager.exists()
    ]


def _check_empty(models):
    found = non_empty_models(models)
    if found:
        raise BackupError(
            _(
                "This database already holds data (%(models)s). Restore into a new, empty "
                "database: nothing was written."
            )
            % {"models": ", ".join(found[:8]) + ("…" if len(found) > 8 else "")}
        )


def check_file(path, *, progress=None, registry=None):
    """Check everything that can be checked without writing; return ``(archive, manifest,
    models)`` with the archive open. ``registry``: see ``prepare_database``."""
    progress = progress or (lambda message: None)
    archive = _open_zip(path)
    try:
        manifest = _read_manifest(archive)
        progress(_("Checking the file…"))
        _check_members(archive, manifest)
        models = format.exported_models(registry)
        _check_schema(manifest, models)
        _check_empty(models)
    except BaseException:
        archive.close()
        raise
    return archive, manifest, models


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
    archive, manifest, models = check_file(path, progress=progress, registry=registry)
    counts = {}
    with archive:
        try:
            with transaction.atomic(), _restoring_files(archive, manifest):
                _check_empty(models)  # again, now that the write lock is held
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
    with _open_zip(path) as archive:
        manifest = _read_manifest(archive)
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
