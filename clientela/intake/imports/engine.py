"""The import engine: a table in, records out, in batches, with every row accounted for.

``run_import`` reads the table row by row; each row is turned into field values by the
kind's importer (``prepare``, which raises ``ValidationError`` with the row's problems) and
collected into batches. A batch is written in one transaction by the importer (``write``),
which also sorts duplicates by the chosen policy; a batch that fails as a whole rolls back and
its rows are reported, the import goes on. What each batch created and what it changed (with
the values before) goes to the ``journal`` in the same transaction, which is what makes an
import undoable. A dry run does all of it and rolls every batch back.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext as _

from .readers import RowError

POLICIES = ("skip", "update", "create")
MATCH_KEYS = ("email", "phone", "tax_id")
BATCH_SIZE = 5000
KEPT_ERRORS = 200  # shown on the page and in the API; the report file has them all


@dataclass
class Options:
    kind: str
    mapping: list
    on_duplicate: str = "skip"
    match_on: tuple = MATCH_KEYS
    dry_run: bool = False
    batch_size: int = BATCH_SIZE


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)  # [(line, {column or "row": [messages]})]

    def counts(self):
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "failed": self.failed,
        }


@dataclass
class Changes:
    """What one batch did: ids created per model, and the records it updated with their values
    before (in the form the update service takes) and their version after."""

    created: dict = field(default_factory=dict)  # model label -> [[id, version], ...]
    updated: list = field(default_factory=list)  # [(model label, id, before, version)]

    def add_created(self, model, records):
        pairs = [[r.pk, r.version] for r in records]
        self.created.setdefault(model._meta.label, []).extend(pairs)

    def add_updated(self, record, before):
        self.updated.append((record._meta.label, record.pk, before, record.version))


class Rows:
    """The rows of one batch with the outcome they feed: importers report through it."""

    def __init__(self, outcome, report):
        self.outcome, self.report = outcome, report
        self.items = []  # (line, cells, prepared item)

    def fail(self, line, errors, cells=()):
        self.outcome.failed += 1
        if len(self.outcome.errors) < KEPT_ERRORS:
            self.outcome.errors.append((line, errors))
        if self.report is not None:
            self.report.add(line, errors, cells)

    def skip(self, line, message, cells=()):
        self.outcome.skipped += 1
        if self.report is not None:
            self.report.add(line, {"row": [message]}, cells)


def errors_of(error):
    if hasattr(error, "error_dict"):
        return error.message_dict
    return {"row": error.messages}


def gather(cells, mapping):
    """``{target: text}`` (``{target: [texts]}`` for targets several columns fill) of one row."""
    values = {}
    for target, cell in zip(mapping, cells, strict=False):
        if not target or not cell or not cell.strip():
            continue
        if target in values:
            previous = values[target]
            values[target] = [*previous, cell] if isinstance(previous, list) else [previous, cell]
        else:
            values[target] = cell
    return values


def run_import(table, importer, options, *, journal=None, report=None, progress=None):
    """Import ``table`` with ``importer``; returns the ``Outcome``.

    ``journal(changes)`` is called inside each batch's transaction; ``progress(outcome)``
    after each batch (it may raise to stop the import between batches).
    """
    outcome = Outcome()
    batch = Rows(outcome, report)
    try:
        for line, cells in table.rows:
            outcome.rows += 1
            if isinstance(cells, RowError):
                batch.fail(line, {"row": [cells.message]})
                continue
            try:
                item = importer.prepare(gather(cells, options.mapping))
            except ValidationError as error:
                batch.fail(line, errors_of(error), cells)
                continue
            batch.items.append((line, cells, item))
            if len(batch.items) >= options.batch_size:
                _write(batch, importer, options, journal)
                batch = Rows(outcome, report)
                if progress:
                    progress(outcome)
    finally:
        # Also when the file turns unreadable half way: the rows read before it are kept.
        _write(batch, importer, options, journal)
        if progress:
            progress(outcome)
    return outcome


def _write(batch, importer, options, journal):
    if not batch.items:
        return
    before = batch.outcome.counts()
    try:
        with transaction.atomic():
            changes = Changes()
            importer.write(batch, changes)
            if journal is not None and not options.dry_run:
                journal(changes)
            if options.dry_run:
                transaction.set_rollback(True)
    except (DatabaseError, ValidationError) as error:
        # The batch is gone whole: its rows are reported, nothing of it stays.
        outcome = batch.outcome
        for key in ("created", "updated", "skipped", "failed"):
            setattr(outcome, key, before[key])
        message = _("This row's batch could not be saved: %(error)s") % {"error": error}
        for line, cells, _item in batch.items:
            batch.fail(line, {"row": [message]}, cells)
