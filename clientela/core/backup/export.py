"""Write the account export: every exported model as JSON lines, the stored files, the CSV
lists and a manifest, streamed into a zip with bounded memory whatever the account's size."""

import hashlib
import json
import os
import shutil
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from clientela.core.backup import format
from clientela.core.backup.lists import LISTS

BATCH_SIZE = 2000  # rows per keyset page
ROWS_PER_PROGRESS = 50000
COMPRESSLEVEL = 3  # most of deflate's gain on JSON lines at a fraction of level 6's time


class _HashingWriter:
    """Writes into a zip member while counting bytes and hashing them (for the manifest)."""

    def __init__(self, member):
        self.member, self.sha256, self.bytes = member, hashlib.sha256(), 0

    def write(self, data):
        self.sha256.update(data)
        self.bytes += len(data)
        self.member.write(data)

    def summary(self):
        return {"sha256": self.sha256.hexdigest(), "bytes": self.bytes}


@contextmanager
def _member(archive, name):
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    # ``compress_level`` from Python 3.13, ``_compresslevel`` before.
    level = "compress_level" if hasattr(info, "compress_level") else "_compresslevel"
    setattr(info, level, COMPRESSLEVEL)
    with archive.open(info, "w", force_zip64=True) as member:
        writer = _HashingWriter(member)
        yield writer


@contextmanager
def consistent_snapshot():
    """Read every table as of one moment, without blocking writers.

    PostgreSQL: one repeatable-read, read-only transaction. SQLite: a deferred read
    transaction (Django's own are ``IMMEDIATE`` and would hold the write lock for the whole
    export); in WAL mode it sees one snapshot while others keep writing. Inside an outer
    transaction (tests) the reads simply share it.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN DEFERRED")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("COMMIT")


def clientela_version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("clientela")
    except PackageNotFoundError:
        return "unknown"


def _sqlite_datetime(value):
    # The sqlite3 driver parses the stored UTC text into a naive datetime; Django would then
    # make it aware (slowly, value by value) only for us to print it: print it as UTC here.
    return value if value is None else value.isoformat() + "+00:00"


def _json_converters(model, fields):
    """Per column, a function turning what the database driver returns into the JSON value
    written (``None``: as it is). The same as Django's converters followed by
    ``format.encoder``, with shortcuts where they matter for speed."""
    from django.conf import settings
    from django.db.models import DateTimeField

    converters = []
    for field in fields:
        if isinstance(field, DateTimeField) and connection.vendor == "sqlite" and settings.USE_TZ:
            converters.append(_sqlite_datetime)
            continue
        column = field.get_col(model._meta.db_table)
        chain = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        encode = format.encoder(field)
        if not chain and encode is None:
            converters.append(None)
            continue

        def convert(value, chain=chain, encode=encode, column=column):
            for step in chain:
                value = step(value, column, connection)
            return value if value is None or encode is None else encode(value)

        converters.append(convert)
    return converters


def _raw(queryset, names):
    """Rows of ``queryset.values_list(*names)`` as the driver returns them (Django's
    converters skipped: ``_json_converters`` applies them)."""
    compiler = queryset.values_list(*names).query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _rows(model, batch_size):
    """The rows of ``model`` as lists of JSON-ready column values, in primary-key pages."""
    fields = format.columns(model)
    names = [f.attname for f in fields]
    converters = [(i, c) for i, c in enumerate(_json_converters(model, fields)) if c]
    pk = model._meta.pk
    queryset = model._base_manager.order_by(*[f.attname for f in pk_fields(model)])
    excluded = format.EXCLUDED_ROWS.get(format.label_of(model))
    if excluded is not None:
        queryset = queryset.exclude(excluded)
    pk_index = None if isinstance(pk, _composite_pk_class()) else names.index(pk.attname)
    offset, last = 0, None
    while True:
        if pk_index is None:  # no single key to page on: pages by position
            rows = _raw(queryset[offset : offset + batch_size], names)
            offset += batch_size
        else:
            page = queryset if last is None else queryset.filter(pk__gt=last)
            rows = _raw(page[:batch_size], names)
        if rows and pk_index is not None:
            last = rows[-1][pk_index]
        for row in rows:
            values = list(row)
            for index, convert in converters:
                values[index] = convert(values[index])
            yield values
        if len(rows) < batch_size:
            return


def _composite_pk_class():
    from django.db.models import CompositePrimaryKey

    return CompositePrimaryKey


def pk_fields(model):
    pk = model._meta.pk
    return list(pk.fields) if isinstance(pk, _composite_pk_class()) else [pk]


def _write_model(archive, model, batch_size, progress):
    names = format.column_names(model)
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode
    count = 0
    with _member(archive, format.data_member(model)) as out:
        lines = []
        for values in _rows(model, batch_size):
            lines.append(dumps(dict(zip(names, values, strict=True))))
            count += 1
            if len(lines) >= batch_size:
                out.write(("\n".join(lines) + "\n").encode())
                lines = []
            if count % ROWS_PER_PROGRESS == 0:
                progress(f"{format.label_of(model)}: {count}")
        if lines:
            out.write(("\n".join(lines) + "\n").encode())
    progress(f"{format.label_of(model)}: {count}")
    return {"file": format.data_member(model), "rows": count, "fields": names, **out.summary()}


def _file_fields(model):
    from django.db.models import FileField

    return [f for f in format.columns(model) if isinstance(f, FileField)]


def _write_files(archive, models, progress):
    """The stored files of every file field (attachments under CLIENTELA_DATA_DIR...)."""
    written = {}
    for model in models:
        for field in _file_fields(model):
            names = (
                model._base_manager.exclude(**{field.attname: ""})
                .exclude(**{f"{field.attname}__isnull": True})
                .values_list(field.attname, flat=True)
                .order_by(field.attname)
                .distinct()
                .iterator(chunk_size=BATCH_SIZE)
            )
            for name in names:
                member = f"{format.FILES_DIR}{name}"
                if member in written or not format.is_safe_member(name):
                    continue
                if not field.storage.exists(name):
                    progress(f"missing file skipped: {name}")
                    continue
                with field.storage.open(name, "rb") as source, _member(archive, member) as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
                written[member] = out.summary()
    return written


def _write_lists(archive, progress):
    written = {}
    for name, chunks in LISTS.items():
        member = f"{format.LISTS_DIR}{name}"
        with _member(archive, member) as out:
            out.write("\ufeff".encode())  # spreadsheets then read the CSV as UTF-8
            for chunk in chunks():
                out.write(chunk.encode())
        written[member] = out.summary()
        progress(f"{member}")
    return written


def write_export(path, *, progress=None, batch_size=BATCH_SIZE):
    """Write the whole account to the zip at ``path``; return the manifest.

    The zip is written next to ``path`` and renamed when complete, so a failed export never
    leaves a file that looks like a backup.
    """
    progress = progress or (lambda message: None)
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    models = format.exported_models()
    try:
        with (
            consistent_snapshot(),
            zipfile.ZipFile(
                partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=COMPRESSLEVEL
            ) as archive,
        ):
            created_at = timezone.now()
            entries = {}
            for model in models:
                entries[format.label_of(model)] = _write_model(archive, model, batch_size, progress)
            manifest = {
                "format": format.FORMAT_NAME,
                "format_version": format.FORMAT_VERSION,
                "clientela_version": clientela_version(),
                "created_at": created_at.isoformat(),
                "database": connection.vendor,
                "schema": format.current_schema(connection, {m._meta.app_label for m in models}),
                "models": entries,
                "files": _write_files(archive, models, progress),
                "lists": _write_lists(archive, progress),
                "skipped": format.skipped_models(),
                "security": format.SECRETS_NOTE,
            }
            archive.writestr(
                format.MANIFEST, json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False)
            )
        os.replace(partial, path)
    finally:
        if partial.exists():
            partial.unlink()
    return manifest
