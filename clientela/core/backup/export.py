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


def _rows(model, batch_size):
    """The rows of ``model`` as tuples of column values, in primary-key pages."""
    names = format.column_names(model)
    pk = model._meta.pk
    queryset = model._base_manager.order_by(*[f.attname for f in pk_fields(model)])
    excluded = format.EXCLUDED_ROWS.get(format.label_of(model))
    if excluded is not None:
        queryset = queryset.exclude(excluded)
    if isinstance(pk, _composite_pk_class()):
        yield from queryset.values_list(*names).iterator(chunk_size=batch_size)
        return
    pk_index = names.index(pk.attname)
    last = None
    while True:
        page = queryset if last is None else queryset.filter(pk__gt=last)
        rows = list(page.values_list(*names)[:batch_size])
        yield from rows
        if len(rows) < batch_size:
            return
        last = rows[-1][pk_index]


def _composite_pk_class():
    from django.db.models import CompositePrimaryKey

    return CompositePrimaryKey


def pk_fields(model):
    pk = model._meta.pk
    return list(pk.fields) if isinstance(pk, _composite_pk_class()) else [pk]


def _write_model(archive, model, batch_size, progress):
    fields = format.columns(model)
    names = [f.attname for f in fields]
    encoders = [(name, field) for name, field in zip(names, fields, strict=True)]
    count = 0
    with _member(archive, format.data_member(model)) as out:
        lines = []
        for row in _rows(model, batch_size):
            record = {
                name: format.encode(field, value)
                for (name, field), value in zip(encoders, row, strict=True)
            }
            lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True, default=str))
            count += 1
            if len(lines) >= batch_size:
                out.write(("\n".join(lines) + "\n").encode())
                lines = []
                progress(f"{format.label_of(model)}: {count}")
        if lines:
            out.write(("\n".join(lines) + "\n").encode())
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
