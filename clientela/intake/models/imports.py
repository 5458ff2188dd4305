"""Imports: the jobs that bring a file's rows in, their undo journal, and saved column
mappings."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import DuplicatePolicy, ImportKind, ImportStatus


class ImportMapping(models.Model):
    """A column mapping kept for the next file from the same tool: ``columns`` maps a column
    name (as the file writes it) to the field it fills."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("records"), max_length=20, choices=ImportKind.choices)
    columns = models.JSONField(_("columns"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="import_mapping_unique_name")
        ]

    def __str__(self):
        return self.name

    def apply(self, header):
        """The saved mapping laid over a file's header (columns it does not know: none)."""
        return [self.columns.get(name, "") for name in header]


class ImportJob(models.Model):
    """One file brought in: how its columns were read, what it did, and how to undo it."""

    kind = models.CharField(_("records"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.NEW
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_size = models.BigIntegerField(_("size"), default=0)
    file_format = models.CharField(_("format"), max_length=4, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    header = models.JSONField(_("columns"), default=list)
    sample = models.JSONField(_("first rows"), default=list)
    mapping = models.JSONField(_("mapping"), default=list)
    on_duplicate = models.CharField(
        _("when a record exists"),
        max_length=6,
        choices=DuplicatePolicy.choices,
        default=DuplicatePolicy.SKIP,
    )
    match_on = models.JSONField(_("match on"), default=list)
    dry_run = models.BooleanField(_("dry run"), default=False)
    bytes_read = models.BigIntegerField(default=0)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("with errors"), default=0)
    errors = models.JSONField(_("errors"), default=list)
    report = models.FileField(_("error report"), upload_to="imports/reports/", blank=True)
    message = models.TextField(_("message"), blank=True)
    undo_summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["-created_at", "-id"], name="import_job_recent_idx")]

    def __str__(self):
        return f"{self.file_name} ({self.get_kind_display()})"

    @property
    def progress_percent(self):
        if self.status in (ImportStatus.DONE, ImportStatus.UNDONE):
            return 100
        if not self.file_size:
            return 0
        return min(99, int(100 * self.bytes_read / self.file_size))

    @property
    def is_running(self):
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def can_undo(self):
        return self.status == ImportStatus.DONE and not self.dry_run


class ImportBatch(models.Model):
    """What one batch of an import wrote, for undo: ``created`` maps a model label to
    ``[id, version after]`` pairs; ``updated`` lists ``[model label, id, values before,
    version after]``."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="batches")
    created = models.JSONField(default=dict)
    updated = models.JSONField(default=list)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self):
        return f"{self.job_id}/{self.pk}"
