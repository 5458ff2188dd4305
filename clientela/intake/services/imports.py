"""Every write of an import: the upload, its mapping, the run (a background job), the undo.

An import is an ``ImportJob``: ``start_import`` keeps the uploaded file and reads its header and
first rows (so the person can check the suggested mapping), ``configure_import`` fixes the
mapping and the duplicate policy and queues the run, ``run_import_job`` (the worker) streams the
file through the import engine, and ``undo_import`` takes it back: what it created is removed,
what it updated gets its earlier values — except records someone changed or used since, which
are kept and counted.
"""

import csv
import logging
from itertools import islice

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clientela.contacts import services as contact_services
from clientela.contacts.models import Company, Contact
from clientela.core import permissions
from clientela.core.choices import ChangeSource
from clientela.core.context import change_context
from clientela.core.services import delete_records, purge_records
from clientela.core.spreadsheet import cells as safe_cells

from ..choices import ImportStatus
from ..imports import engine, fields, importers
from ..imports.readers import UnreadableFile, open_table
from ..models import ImportBatch, ImportJob, ImportMapping

logger = logging.getLogger(__name__)

SAMPLE_ROWS = 5
MAX_FILE_SIZE = 512 * 1024 * 1024  # a million rows of 12 columns is about 150 MB
MAX_COLUMNS = 500


def model_for(kind):
    return importers.IMPORTERS[kind].model


# --- upload and mapping -------------------------------------------------------------------------


@transaction.atomic
def start_import(fileobj, file_name, *, kind, actor):
    """Keep an uploaded file and read what the mapping step needs; returns the ``ImportJob``.

    Raises ``ValidationError`` when the file cannot be read as a table."""
    if kind not in fields.KINDS:
        raise ValidationError({"kind": [_("Choose what the file holds.")]})
    if actor is not None:  # the command line without --as
        permissions.require_write(actor, permissions.area_of(model_for(kind)))
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_FILE_SIZE:
        raise ValidationError({"file": [_("The file is larger than 512 MB.")]})
    job = ImportJob(kind=kind, file_name=str(file_name)[:255] or "import", created_by=actor)
    job.file.save(f"{job.file_name}", File(fileobj), save=False)
    job.file_size = job.file.size
    try:
        with job.file.open("rb") as handle:
            table = open_table(handle, job.file_name)
            sample = [cells for _line, cells in islice(table.rows, SAMPLE_ROWS)]
    except UnreadableFile as error:
        job.file.delete(save=False)
        raise ValidationError({"file": [str(error)]}) from error
    if len(table.header) > MAX_COLUMNS:
        job.file.delete(save=False)
        raise ValidationError({"file": [_("The file has more than 500 columns.")]})
    job.file_format, job.encoding, job.delimiter = table.format, table.encoding, table.delimiter
    job.header = [h[:200] for h in table.header]
    job.sample = [[c[:200] for c in row] for row in sample if isinstance(row, list)]
    job.mapping = fields.suggest_mapping(kind, table.header, model_for(kind))
    job.match_on = list(engine.MATCH_KEYS)
    job.save()
    return job


@transaction.atomic
def configure_import(
    job, *, actor, mapping, on_duplicate="skip", match_on=None, dry_run=False, enqueue=True
):
    """Fix the mapping and the duplicate policy, and queue the run (the command line runs it
    itself: ``enqueue=False``)."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.NEW:
        raise ValidationError({"status": [_("This import has already run.")]})
    mapping = [str(m or "") for m in mapping][: len(job.header)]
    mapping += [""] * (len(job.header) - len(mapping))
    errors = fields.check_mapping(job.kind, mapping, model_for(job.kind))
    if errors:
        raise ValidationError({"mapping": errors})
    if on_duplicate not in engine.POLICIES:
        raise ValidationError({"on_duplicate": [_("Choose skip, update or create.")]})
    match_on = list(match_on if match_on is not None else engine.MATCH_KEYS)
    if not set(match_on) <= set(engine.MATCH_KEYS):
        raise ValidationError({"match_on": [_("Match on e-mail, phone or tax id.")]})
    job.mapping, job.on_duplicate, job.match_on = mapping, on_duplicate, match_on
    job.dry_run = bool(dry_run)
    job.status = ImportStatus.QUEUED
    job.save()
    if enqueue:
        from ..jobs import run_import

        transaction.on_commit(lambda: run_import.enqueue(job.pk))
    return job


@transaction.atomic
def repeat_import(job, *, actor):
    """Import a dry run's file for real, with its mapping and policy; returns the new job."""
    if not job.dry_run or job.status != ImportStatus.DONE:
        raise ValidationError({"status": [_("Only a finished dry run can be imported for real.")]})
    if actor is not None:
        permissions.require_write(actor, permissions.area_of(model_for(job.kind)))
    again = ImportJob.objects.get(pk=job.pk)
    again.pk = None
    again._state.adding = True
    for name in ("rows", "created", "updated", "skipped", "failed", "bytes_read"):
        setattr(again, name, 0)
    again.errors, again.report, again.message = [], "", ""
    again.started_at = again.finished_at = None
    again.status, again.dry_run, again.created_by = ImportStatus.NEW, False, actor
    again.save()
    return configure_import(
        again,
        actor=actor,
        mapping=job.mapping,
        on_duplicate=job.on_duplicate,
        match_on=job.match_on,
    )


@transaction.atomic
def save_mapping(*, actor, kind, name, header, mapping):
    """Keep a mapping by name for the next file (replacing one of the same name)."""
    name = str(name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError({"name": [_("Give the mapping a name (at most 100 characters).")]})
    columns = {h: m for h, m in zip(header, mapping, strict=False) if m}
    saved, _created = ImportMapping.objects.update_or_create(
        kind=kind, name=name, defaults={"columns": columns, "created_by": actor}
    )
    return saved


# --- the run ------------------------------------------------------------------------------------


class ErrorReport:
    """The rows that were not imported, as a CSV a person can fix and import again: the line,
    what went wrong, then the row's own cells under the file's header."""

    def __init__(self, handle, header):
        self.writer = csv.writer(handle)
        self.writer.writerow([_("line"), _("problem"), *header])
        self.count = 0

    def add(self, line, errors, cells):
        problems = []
        for field, messages in errors.items():
            text = " ".join(str(m) for m in messages)
            problems.append(text if field == "row" else f"{field}: {text}")
        self.writer.writerow(safe_cells([line, "; ".join(problems), *cells]))
        self.count += 1


def run_import_job(job_id, *, progress=None):
    """Run a queued import (the background job). Safe to call twice: only a queued job runs."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != ImportStatus.QUEUED:
            return None
        job.status, job.started_at = ImportStatus.RUNNING, timezone.now()
        job.save(update_fields=["status", "started_at"])
    actor = job.created_by
    options = engine.Options(
        kind=job.kind,
        mapping=job.mapping,
        on_duplicate=job.on_duplicate,
        match_on=tuple(job.match_on),
        dry_run=job.dry_run,
    )
    # Saving an empty file first makes the folder and a name no other file has.
    report_name = default_storage.save(
        f"imports/reports/import-{job.pk}-errors.csv", File(_Empty())
    )
    report_path = default_storage.path(report_name)
    outcome, status, message = None, ImportStatus.DONE, ""
    report = None
    try:
        with (
            change_context(source=ChangeSource.IMPORT, request_id=f"import-{job.pk}"),
            job.file.open("rb") as handle,
            open(report_path, "w", newline="", encoding="utf-8-sig") as report_file,
        ):
            table = open_table(handle, job.file_name, encoding=job.encoding or None)
            report = ErrorReport(report_file, table.header)

            def journal(changes):
                ImportBatch.objects.create(
                    job=job, created=changes.created, updated=changes.updated
                )

            def on_progress(outcome):
                _save_progress(job, outcome, table.position())
                if progress:
                    progress(job)

            importer = importers.IMPORTERS[job.kind](options, actor)
            outcome = engine.run_import(
                table, importer, options, journal=journal, report=report, progress=on_progress
            )
    except (UnreadableFile, OSError) as error:
        # What the batches before the unreadable part wrote stays (and can be undone).
        status, message = ImportStatus.FAILED, str(error)
    except Exception as error:  # a bug must not leave the job "running" for ever
        logger.exception("import failed", extra={"import": job.pk})
        status, message = ImportStatus.FAILED, _("Unexpected error: %s") % error
    if report is not None and report.count:
        job.report.name = report_name
    else:
        default_storage.delete(report_name)
    return _finish(job, status, outcome=outcome, message=message)


class _Empty:
    def read(self, *args):
        return b""


def _save_progress(job, outcome, bytes_read):
    job.bytes_read = bytes_read
    for key, value in outcome.counts().items():
        setattr(job, key, value)
    job.errors = [[line, errors] for line, errors in outcome.errors[: engine.KEPT_ERRORS]]
    fields_ = ["bytes_read", "rows", "created", "updated", "skipped", "failed", "errors"]
    ImportJob.objects.filter(pk=job.pk).update(**{f: getattr(job, f) for f in fields_})


def _finish(job, status, *, outcome=None, message=""):
    if outcome is not None:
        _save_progress(job, outcome, job.file_size)
    job.status, job.message, job.finished_at = status, message, timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "report"])
    return job


# --- undo ---------------------------------------------------------------------------------------

UNDO_BATCH = 500


def undo_import(job, *, actor):
    """Take an import back, newest batch first; returns ``{"removed", "restored", "kept"}``.

    Records changed since the import (a new version) or used since (an activity, a deal, a
    purchase, a contact of an imported company) are kept: undo never takes someone's later
    work with it."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_undo:
            raise ValidationError({"status": [_("Only a finished import can be undone.")]})
    summary = {"removed": 0, "restored": 0, "kept": 0}
    with change_context(source=ChangeSource.IMPORT, request_id=f"undo-import-{job.pk}"):
        for batch in job.batches.order_by("-pk").iterator(chunk_size=20):
            with transaction.atomic():
                _undo_batch(batch, actor, summary)
                batch.delete()
    job.status, job.undone_at, job.undo_summary = ImportStatus.UNDONE, timezone.now(), summary
    job.save(update_fields=["status", "undone_at", "undo_summary"])
    return summary


def _undo_batch(batch, actor, summary):
    for label, pk, before, version in batch.updated:
        model = apps.get_model(label)
        record = model.objects.filter(pk=pk).first()
        if record is None or record.version != version:
            summary["kept"] += 1
            continue
        _restore(record, before, actor)
        summary["restored"] += 1
    # Contacts before the companies created for them.
    order = [Contact._meta.label, Company._meta.label]
    labels = sorted(batch.created, key=lambda x: order.index(x) if x in order else -1)
    for label in labels:
        model = apps.get_model(label)
        pairs = batch.created[label]
        for start in range(0, len(pairs), UNDO_BATCH):
            chunk = dict(pairs[start : start + UNDO_BATCH])
            untouched = importers.untouched(model, chunk)
            summary["kept"] += len(chunk) - len(untouched)
            delete_records(untouched, actor=actor)
            summary["removed"] += len(purge_records(untouched, actor=actor))


def _restore(record, before, actor):
    if isinstance(record, Contact):
        fields_ = _restorable(Contact, before, contact_services.CONTACT_FIELDS)
        contact_services.update_contact(
            record,
            actor=actor,
            emails=[{"email": e, "kind": k, "is_primary": p} for e, k, p in before["_emails"]],
            phones=[{"number": n, "kind": k, "is_primary": p} for n, k, p in before["_phones"]],
            tags=before.get("tags", []),
            custom_fields=_custom_back(record, before),
            **fields_,
        )
    elif isinstance(record, Company):
        fields_ = _restorable(Company, before, contact_services.COMPANY_FIELDS)
        contact_services.update_company(
            record,
            actor=actor,
            phones=[{"number": n, "kind": k, "is_primary": p} for n, k, p in before["_phones"]],
            tags=before.get("tags", []),
            custom_fields=_custom_back(record, before),
            **fields_,
        )


def _restorable(model, before, allowed):
    """The snapshot's values in the form the update service takes (related records by id
    become instances again; a related record gone since is left unset)."""
    values = {}
    for name in allowed:
        if name not in before:
            continue
        field = model._meta.get_field(name)
        value = before[name]
        if field.is_relation:
            value = field.related_model._base_manager.filter(pk=value).first() if value else None
        elif value is not None and field.get_internal_type() == "DateTimeField":
            value = field.to_python(value)
        values[name] = value
    return values


def _custom_back(record, before):
    old = before.get("custom_fields", {})
    return {key: old.get(key) for key in set(record.custom_fields) | set(old)}
