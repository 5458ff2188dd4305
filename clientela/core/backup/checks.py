"""Everything checked before a restore writes anything: a zip whose member names stay
inside, sizes and checksums that match the manifest (no zip bombs), a format this code reads,
the database schema and columns of this installation, and a database holding no data."""

import hashlib
import json
import zipfile

from django.db import connection
from django.utils.translation import gettext as _

from clientela.core.backup import format
from clientela.core.backup.format import BackupError

MAX_MANIFEST_BYTES = 16 * 1024 * 1024
# Deflate packs JSON lines about 5-20 times; a member packed far tighter is a zip bomb.
MAX_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024


def open_zip(path):
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise BackupError(_("%(path)s: no such file.") % {"path": path}) from None
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(
            _("%(path)s is not a Clientela export or it is damaged (%(error)s).")
            % {"path": path, "error": error}
        ) from None


def read_manifest(archive):
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


def check_empty(models):
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
    archive = open_zip(path)
    try:
        manifest = read_manifest(archive)
        progress(_("Checking the file…"))
        _check_members(archive, manifest)
        models = format.exported_models(registry)
        _check_schema(manifest, models)
        check_empty(models)
    except BaseException:
        archive.close()
        raise
    return archive, manifest, models
