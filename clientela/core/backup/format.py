"""What an account export holds and how each value is written.

The zip holds ``manifest.json``, one JSON-lines file per model under ``data/`` (one object per
row, keyed by column attribute name, in primary-key order), the stored files of file fields
under ``files/`` and human-readable CSV lists under ``csv/``. Which models go in is decided from
the app registry, so models added later are included without code here; only the exceptions
below are named.
"""

import base64
from decimal import Decimal

from django.apps import apps
from django.db import models
from django.db.migrations.loader import MigrationLoader
from django.utils.dateparse import parse_duration
from django.utils.duration import duration_iso_string

FORMAT_NAME = "clientela-account-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data/"
FILES_DIR = "files/"
LISTS_DIR = "csv/"

# Apps outside ``clientela.*`` whose tables are account data: users' groups and permissions,
# the content types custom fields and history point at, two-factor devices (restoring users
# without them would silently turn two-factor sign-in off).
ACCOUNT_APPS = {"auth", "contenttypes", "otp_totp", "otp_static", "otp_email"}

_THROTTLING = "sign-in throttling and lockouts of this server, not account data"

# Tables left out, and why (also written into the manifest).
SKIPPED_MODELS = {
    "sessions.session": "sign-ins belong to the old server and its secret key; people sign in "
    "again",
    "django_tasks_database.dbtaskresult": "the background queue is this server's working "
    "state (the export job itself is one of its rows)",
    "axes.accessattempt": _THROTTLING,
    "axes.accessattemptexpiration": _THROTTLING,
    "axes.accesslog": _THROTTLING,
    "axes.accessfailurelog": _THROTTLING,
    "core.searchentry": "derived: rebuilt from the records after a restore",
    "core.searchword": "derived: written by database triggers from the search entries",
    "core.workerheartbeat": "state of the running background workers",
}

# Rows of exported models that are this server's state, not account data.
EXCLUDED_ROWS = {"core.flag": models.Q(name__in=["account_export"])}

# Models whose rows a fresh ``migrate`` creates (built-in roles, the default pipeline, tax
# rates...). They do not make a database "not empty"; a restore replaces them with the file's.
SEEDED_MODELS = {
    "contenttypes.contenttype",
    "auth.permission",
    "core.role",
    "sales.pipeline",
    "sales.stage",
    "sales.lostreason",
    "sales.taxrate",
}

SECRETS_NOTE = (
    "This file holds every record of the account, including password hashes and API token "
    "hashes (restoring it must let people sign in). Keep it as safe as the database itself."
)


class BackupError(Exception):
    """A file that cannot be exported or restored; the message says why and what to do."""


def label_of(model):
    return model._meta.label_lower


def _account_app(app_label):
    if app_label in ACCOUNT_APPS:
        return True
    # By the installed app's name: models of a migration state (``registry``) know only labels.
    return apps.is_installed(f"clientela.{app_label}") and any(
        config.label == app_label and config.name.startswith("clientela.")
        for config in apps.get_app_configs()
    )


def exported_models(registry=None):
    """Every concrete, managed model of the account's apps (M2M tables included), minus the
    skipped ones, in dependency order: a model comes after the models its foreign keys point
    at (cycles and self-references are left to the deferred constraints).

    ``registry`` is the app registry to read (the models of an older database schema, while
    a file from an older version is restored); by default the code's own models.
    """
    registry = registry or apps
    chosen = [
        model
        for model in registry.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and _account_app(model._meta.app_label)
        and label_of(model) not in SKIPPED_MODELS
    ]
    return dependency_order(chosen)


def skipped_models():
    """{label: reason} of the installed models that are not exported."""
    chosen = {label_of(m) for m in exported_models()}
    skipped = {}
    for model in apps.get_models(include_auto_created=True):
        label = label_of(model)
        if label in chosen or model._meta.proxy:
            continue
        skipped[label] = SKIPPED_MODELS.get(label, "not account data (another application's table)")
    return skipped


def dependency_order(models_):
    included = set(models_)
    ordered, visiting, done = [], set(), set()

    def visit(model):
        if model in done or model in visiting:
            return  # a cycle: the deferred foreign keys accept either order
        visiting.add(model)
        for field in columns(model):
            target = field.related_model if field.is_relation else None
            if target is not None and target in included and target is not model:
                visit(target)
        visiting.discard(model)
        done.add(model)
        ordered.append(model)

    for model in sorted(models_, key=label_of):
        visit(model)
    return ordered


def columns(model):
    """The columns of ``model``'s own table (a child of a concrete model keeps its pointer)."""
    return [f for f in model._meta.local_concrete_fields if f.column]


def column_names(model):
    return [f.attname for f in columns(model)]


def data_member(model):
    return f"{DATA_DIR}{label_of(model)}.jsonl"


# --- values ---------------------------------------------------------------------------------


def encoder(field):
    """A function writing ``field``'s (non-null) values as JSON, the same text whichever
    database they came from; ``None`` when the value is JSON already (numbers, text...)."""
    kind = field.get_internal_type()
    if kind == "DecimalField":
        exponent = Decimal(1).scaleb(-field.decimal_places)
        return lambda value: format(value.quantize(exponent), "f")
    if kind == "DurationField":
        return duration_iso_string
    if kind == "BinaryField":
        return lambda value: base64.b64encode(bytes(value)).decode("ascii")
    if kind in ("DateTimeField", "DateField", "TimeField"):
        return lambda value: value.isoformat()
    if kind == "UUIDField":
        return str
    if kind in ("FileField", "ImageField"):
        return lambda value: getattr(value, "name", value)
    return None


def encode(field, value):
    """One value as JSON (see ``encoder``)."""
    convert = encoder(field)
    return value if value is None or convert is None else convert(value)


def decode(field, value):
    """A JSON value back to what ``field`` saves."""
    if value is None:
        return None
    kind = field.get_internal_type()
    if kind == "JSONField":
        return value
    if kind == "BinaryField":
        return base64.b64decode(value)
    if kind == "DurationField":
        return parse_duration(value)
    if kind in ("FileField", "ImageField"):
        return value
    return field.to_python(value)


# --- schema ---------------------------------------------------------------------------------


def current_schema(connection, app_labels):
    """{app label: latest applied migration} (a sorted list when an app has several leaves)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    schema = {}
    for app_label in sorted(app_labels):
        names = {name for app, name in applied if app == app_label}
        leaves = sorted(
            name
            for name in names
            if not any(
                child.key[0] == app_label and child.key in applied
                for child in loader.graph.node_map[(app_label, name)].children
            )
        )
        if leaves:
            schema[app_label] = leaves[0] if len(leaves) == 1 else leaves
    return schema


def schema_leaves(value):
    return {value} if isinstance(value, str) else set(value)


def is_safe_member(name):
    """Relative, no ``..``, no backslashes, drive letters or control characters: a name that
    stays inside the folder it is extracted to."""
    if not name or name.startswith("/") or "\\" in name or ":" in name:
        return False
    if any(ord(char) < 32 for char in name):
        return False
    return all(part not in ("", ".", "..") for part in name.split("/"))
