"""The export behind the settings page: one export at a time, run by the background worker,
kept under ``CLIENTELA_DATA_DIR/exports`` for a day.

Its state lives in the ``core.Flag`` named ``account_export`` (no model of its own): who asked,
when, and the file once it is written. The flag row is left out of exports.
"""

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from clientela.core.models import Flag

logger = logging.getLogger(__name__)

EXPORT_FLAG = "account_export"
KEPT_FOR = timedelta(days=1)
# An export still "running" after this long died with its worker; another may start.
STALE_AFTER = timedelta(hours=6)
QUEUED, RUNNING, READY, FAILED = "queued", "running", "ready", "failed"


def exports_dir():
    return Path(settings.DATA_DIR) / "exports"


def current_state(now=None):
    """The latest export's state (``{}`` when none), with ``expired`` worked out; files past
    their day are deleted on the way."""
    now = now or timezone.now()
    flag = Flag.objects.filter(name=EXPORT_FLAG).first()
    state = dict(flag.value) if flag else {}
    if state.get("status") == READY:
        finished = datetime.fromisoformat(state["finished_at"])
        state["expires_at"] = (finished + KEPT_FOR).isoformat()
        state["expired"] = now >= finished + KEPT_FOR or not export_path(state).exists()
    remove_expired_files(now)
    return state


def export_path(state):
    # Only a bare name from our own flag, joined under the exports folder.
    return exports_dir() / Path(state.get("file") or "missing").name


def downloadable_file(now=None):
    state = current_state(now)
    if state.get("status") == READY and not state.get("expired"):
        return export_path(state)
    return None


def is_busy(state, now=None):
    now = now or timezone.now()
    if state.get("status") not in (QUEUED, RUNNING):
        return False
    return now - datetime.fromisoformat(state["requested_at"]) < STALE_AFTER


def request_export(user, now=None):
    """Queue an export asked for by ``user`` (an administrator); returns False when one is
    already under way."""
    now = now or timezone.now()
    with transaction.atomic():
        flag, _created = Flag.objects.select_for_update().get_or_create(name=EXPORT_FLAG)
        if is_busy(flag.value, now):
            return False
        run = secrets.token_hex(8)
        flag.value = {
            "status": QUEUED,
            "run": run,
            "requested_by": user.username,
            "requested_at": now.isoformat(),
        }
        flag.save()
        transaction.on_commit(lambda: export_account.enqueue(run))
    return True


def _update(run, **values):
    """Change the state of export ``run``, unless a newer request replaced it."""
    with transaction.atomic():
        flag = Flag.objects.select_for_update().filter(name=EXPORT_FLAG).first()
        if flag is None or flag.value.get("run") != run:
            return False
        flag.value = {**flag.value, **values}
        flag.save()
    return True


def run_export(run):
    from clientela.core.backup import export

    if not _update(run, status=RUNNING, started_at=timezone.now().isoformat()):
        return None
    folder = exports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"clientela-export-{timezone.now():%Y%m%d-%H%M%S}-{run}.zip"
    try:
        manifest = export.write_export(folder / name)
    except Exception as error:
        logger.exception("account export failed")
        _update(run, status=FAILED, error=str(error)[:500])
        raise
    rows = sum(entry["rows"] for entry in manifest["models"].values())
    finished = {"file": name, "bytes": (folder / name).stat().st_size, "rows": rows}
    if not _update(run, status=READY, finished_at=timezone.now().isoformat(), **finished):
        (folder / name).unlink(missing_ok=True)  # replaced meanwhile: nobody will fetch it
        return None
    return name


def remove_expired_files(now=None):
    """Delete export files older than a day (whatever the flag says)."""
    now = now or timezone.now()
    folder = exports_dir()
    if not folder.exists():
        return 0
    removed = 0
    for path in folder.glob("clientela-export-*"):  # finished zips and crashed partial ones
        modified = datetime.fromtimestamp(path.stat().st_mtime, tz=timezone.get_current_timezone())
        if now - modified >= KEPT_FOR:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


@task()
def export_account(run):
    """Write the account export asked for on the settings page (run = the request's id)."""
    return run_export(run)


@task()
def remove_expired_exports():
    """Hourly (the worker's scheduler): delete export files past their day, even when nobody
    opens the page again."""
    return remove_expired_files()
