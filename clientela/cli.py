"""The ``clientela`` command: serve, worker, demo, import, export, token, bench, manage.

Every command runs with the change source ``cli`` so history shows where changes came from.
"""

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

ADMIN_FLAG = "admin_created"
IMPORT_KINDS = ["contacts", "companies", "deals", "activities", "purchases"]
REPO_ROOT = Path(__file__).resolve().parent.parent


def main(argv=None):
    """Entry point of the console script; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    if argv[:1] == ["bench"]:
        # Before Django starts: the bench chooses its own database.
        return _bench(argv[1:])

    import django

    django.setup()
    from clientela.core.choices import ChangeSource
    from clientela.core.context import change_context

    with change_context(source=ChangeSource.CLI):
        if argv[:1] == ["manage"]:
            from django.core.management import execute_from_command_line

            execute_from_command_line(["clientela manage", *argv[1:]])
            return 0
        args = build_parser().parse_args(argv)
        if not getattr(args, "handler", None):
            build_parser().print_help()
            return 2
        return args.handler(args) or 0


def build_parser():
    from django.utils.translation import gettext as _

    parser = argparse.ArgumentParser(
        prog="clientela", description=_("Clientela, the open-source CRM.")
    )
    commands = parser.add_subparsers(title=_("commands"), metavar="COMMAND")

    serve = commands.add_parser("serve", help=_("Run the web server (and a background worker)."))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--threads", type=int, default=8, help=_("Web worker threads."))
    serve.add_argument(
        "--no-worker", action="store_true", help=_("Do not start the embedded background worker.")
    )
    serve.add_argument(
        "--trusted-proxy",
        default=None,
        help=_("Address of a reverse proxy whose X-Forwarded-* headers are trusted."),
    )
    serve.set_defaults(handler=cmd_serve)

    worker = commands.add_parser("worker", help=_("Run a background worker."))
    worker.add_argument("--burst", action="store_true", help=_("Run the queued tasks, then exit."))
    worker.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)
    worker.set_defaults(handler=cmd_worker)

    demo = commands.add_parser("demo", help=_("Load the demo dataset (once)."))
    demo.add_argument("--force", action="store_true", help=_("Load it even if already loaded."))
    demo.add_argument("--companies", type=int, default=300, help=argparse.SUPPRESS)
    demo.add_argument("--contacts", type=int, default=3000, help=argparse.SUPPRESS)
    demo.set_defaults(handler=cmd_demo)

    kinds = ["contacts", "companies"]
    importer = commands.add_parser(
        "import",
        help=_(
            "Import records from a CSV, Excel (XLSX) or vCard file, or restore a full export "
            "(all FILE.zip)."
        ),
    )
    importer.add_argument("kind", choices=[*IMPORT_KINDS, "all"])
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--mapping",
        default=None,
        help=_("A saved mapping's name, or a JSON file mapping column names to fields."),
    )
    importer.add_argument(
        "--on-duplicate",
        choices=["skip", "update", "create"],
        default="skip",
        help=_("What to do with a row whose record exists (default: skip)."),
    )
    importer.add_argument(
        "--match-on",
        default="email,phone,tax_id",
        help=_("What makes two records the same (default: email,phone,tax_id)."),
    )
    importer.add_argument(
        "--dry-run", action="store_true", help=_("Check every row, write nothing.")
    )
    importer.add_argument(
        "--as", dest="username", default=None, help=_("User recorded as the author.")
    )
    importer.set_defaults(handler=cmd_import)

    exporter = commands.add_parser(
        "export",
        help=_(
            "Export contacts or companies as CSV, Excel (XLSX) or vCard, or all the account's "
            "data as a zip (all FILE.zip)."
        ),
    )
    exporter.add_argument("kind", choices=[*kinds, "all"])
    exporter.add_argument("file", type=Path, nargs="?", default=None, help=argparse.SUPPRESS)
    exporter.add_argument(
        "--format",
        "-f",
        dest="format",
        choices=("csv", "xlsx", "vcf"),
        default="csv",
        help=_("File format (vcf: contacts only)."),
    )
    exporter.add_argument("--output", "-o", type=Path, default=None)
    exporter.add_argument(
        "--as", dest="username", default=None, help=_("Export only what this user may see.")
    )
    exporter.set_defaults(handler=cmd_export)

    token = commands.add_parser("token", help=_("Manage API tokens."))
    token_commands = token.add_subparsers(metavar="ACTION")
    create = token_commands.add_parser("create", help=_("Create a token (printed once)."))
    create.add_argument("username")
    create.add_argument("--name", default="cli")
    create.add_argument("--expires-days", type=int, default=None)
    create.set_defaults(handler=cmd_token_create)

    commands.add_parser("bench", help=_("Run the benchmark suite (see bench/)."))
    commands.add_parser("manage", help=_("Run a Django management command."))
    return parser


# --- serve and worker ---------------------------------------------------------------------------


def ensure_admin():
    """On the very first start, create ``admin`` with the built-in admin role.

    Returns ``(created, generated_password)``; the password is returned only when generated, so
    the caller prints it once. A ``core.Flag`` remembers that this happened, so deleting or
    renaming ``admin`` later never brings it back.
    """
    from django.db import transaction

    from clientela.core.models import Flag, Role, User

    with transaction.atomic():
        if Flag.objects.filter(name=ADMIN_FLAG).exists():
            return False, None
        created, generated = False, None
        if not User.objects.filter(username="admin").exists():
            password = os.environ.get("CLIENTELA_ADMIN_PASSWORD")
            if not password:
                password = generated = secrets.token_urlsafe(12)
            User.objects.create_user(
                "admin", password=password, role=Role.objects.get(code="admin"), is_staff=True
            )
            created = True
        Flag.objects.create(name=ADMIN_FLAG, value={"created": created})
    return created, generated


def cmd_serve(args):
    import waitress
    from django.core.management import call_command
    from django.utils.translation import gettext as _

    call_command("migrate", interactive=False, verbosity=0)
    created, password = ensure_admin()
    if created and password:
        print(_("Created the administrator account."))
        print(_("  user:     %(user)s") % {"user": "admin"})
        print(_("  password: %(password)s") % {"password": password})
        print(_("This password is shown only once: write it down and keep it safe."))
    elif created:
        print(
            _("Created the administrator account 'admin' (password from CLIENTELA_ADMIN_PASSWORD).")
        )

    from clientela.wsgi import application

    worker = None if args.no_worker else _start_worker()
    # waitress stops on KeyboardInterrupt; make SIGTERM (systemd, docker stop) do the same so the
    # worker child is stopped too.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    print(
        _("Clientela is running at http://%(host)s:%(port)d/")
        % {"host": args.host, "port": args.port},
        flush=True,
    )
    options = {"host": args.host, "port": args.port, "threads": args.threads, "ident": "Clientela"}
    if args.trusted_proxy:
        options.update(
            trusted_proxy=args.trusted_proxy,
            trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"},
            clear_untrusted_proxy_headers=True,
        )
    try:
        waitress.serve(application, **options)
    except KeyboardInterrupt:
        pass
    finally:
        _stop(worker)
    return 0


def _raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def _start_worker():
    return subprocess.Popen(
        [sys.executable, "-m", "clientela.cli", "worker", "--parent-pid", str(os.getpid())]
    )


def _stop(process):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def cmd_worker(args):
    from clientela.core import worker

    worker.run(parent_pid=args.parent_pid, burst=args.burst)
    return 0


# --- data ---------------------------------------------------------------------------------------


def cmd_demo(args):
    from django.db import transaction
    from django.utils.translation import gettext as _

    from clientela.activities import demo as activities_demo
    from clientela.contacts import demo
    from clientela.sales import demo as sales_demo
    from clientela.support import demo as support_demo

    if demo.is_loaded() and not args.force:
        print(_("The demo data is already loaded (use --force to load it again)."))
        return 0
    with transaction.atomic():
        summary = demo.load_demo(companies=args.companies, contacts=args.contacts)
        summary["deals"] = sales_demo.load_demo(deals=2 * args.companies)
        summary["activities"] = activities_demo.load_demo()
        summary["cases"] = support_demo.load_demo()
    print(
        _(
            "Demo data loaded: %(users)d users, %(companies)d companies, %(contacts)d contacts, "
            "%(deals)d deals, %(activities)d activities, %(cases)d cases."
        )
        % summary
    )
    return 0


def _user(username):
    from django.core.exceptions import ObjectDoesNotExist

    from clientela.core.models import User

    if username is None:
        return None
    try:
        return User.objects.get(username=username)
    except ObjectDoesNotExist:
        raise SystemExit(f"clientela: unknown user {username!r}") from None


def _model(kind):
    from clientela.contacts.models import Company, Contact

    return {"contacts": Contact, "companies": Company}[kind]


def _progress_line(message):
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def cmd_import_all(args):
    """Restore a full export into this installation's (empty) database, migrating it first."""
    from django.core.management import call_command
    from django.utils.translation import gettext as _

    from clientela.core.backup import checks, restore
    from clientela.core.backup.format import BackupError

    try:
        # A file from an older version goes into its own schema first, then is upgraded.
        older_models = None if args.dry_run else restore.prepare_database(args.file)
        if older_models is None:
            call_command("migrate", interactive=False, verbosity=0)
        if args.dry_run:
            archive, manifest, _models = checks.check_file(args.file, progress=_progress_line)
            archive.close()
            rows = sum(entry["rows"] for entry in manifest["models"].values())
            print(_("Checked: the file can be restored here (%(rows)d rows).") % {"rows": rows})
            return 0
        counts = restore.restore(args.file, progress=_progress_line, registry=older_models)
        if older_models is not None:
            _progress_line(_("Upgrading the restored data…"))
            call_command("migrate", interactive=False, verbosity=0)
            restore.finish_after_upgrade(progress=_progress_line)
    except BackupError as error:
        print(_("clientela: nothing restored: %(error)s") % {"error": error}, file=sys.stderr)
        return 1
    print(
        _("Restored %(rows)d rows of %(models)d tables from %(file)s.")
        % {"rows": sum(counts.values()), "models": len(counts), "file": args.file}
    )
    return 0


def cmd_export_all(args):
    from django.utils.translation import gettext as _

    from clientela.core.backup import export

    path = args.file or args.output
    if path is None:
        raise SystemExit(_("clientela: export all needs a file name, e.g. backup.zip"))
    manifest = export.write_export(path, progress=_progress_line)
    rows = sum(entry["rows"] for entry in manifest["models"].values())
    print(
        _(
            "Exported %(rows)d rows of %(models)d tables to %(file)s. It holds password "
            "hashes: keep it safe."
        )
        % {"rows": rows, "models": len(manifest["models"]), "file": path}
    )
    return 0


def cmd_import(args):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from clientela.intake.services import imports

    if args.kind == "all":
        return cmd_import_all(args)

    actor = _user(args.username)
    try:
        with open(args.file, "rb") as handle:
            job = imports.start_import(handle, args.file.name, kind=args.kind, actor=actor)
        mapping = _import_mapping(args.mapping, args.kind, job.header) or job.mapping
        for column, target in zip(job.header, mapping, strict=True):
            print(f"  {column} -> {target or '-'}", file=sys.stderr)
        job = imports.configure_import(
            job,
            actor=actor,
            mapping=mapping,
            on_duplicate=args.on_duplicate,
            match_on=[m.strip() for m in args.match_on.split(",") if m.strip()],
            dry_run=args.dry_run,
            enqueue=False,
        )
    except (ValidationError, OSError) as error:
        messages = getattr(error, "messages", [str(error)])
        raise SystemExit("clientela: " + " ".join(messages)) from None
    progress = _ProgressBar()
    job = imports.run_import_job(job.pk, progress=progress)
    progress(job)
    sys.stderr.write("\n")
    for line, errors in job.errors[:20]:
        for field, messages in errors.items():
            for message in messages:
                print(
                    _("line %(line)d: %(field)s: %(message)s")
                    % {"line": line, "field": field, "message": message},
                    file=sys.stderr,
                )
    if job.message:
        print(job.message, file=sys.stderr)
    template = (
        _(
            "Checked %(rows)d rows: %(created)d to create, %(updated)d to update, "
            "%(skipped)d duplicates skipped, %(failed)d with errors."
        )
        if args.dry_run
        else _(
            "Imported %(rows)d rows: %(created)d created, %(updated)d updated, "
            "%(skipped)d duplicates skipped, %(failed)d with errors."
        )
    )
    print(
        template % {k: getattr(job, k) for k in ("rows", "created", "updated", "skipped", "failed")}
    )
    if job.report:
        print(_("Rows not imported, to fix and import again: %(path)s") % {"path": job.report.path})
    if not args.dry_run and job.status == "done":
        print(_("Import #%(id)d; undo it on the Imports page.") % {"id": job.pk})
    return 1 if job.failed or job.status != "done" else 0


def _import_mapping(option, kind, header):
    """The mapping asked for on the command line, laid over the file's header."""
    from clientela.intake.models import ImportMapping

    if option is None:
        return None
    path = Path(option)
    if path.suffix == ".json" and path.exists():
        import json

        columns = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(columns, dict):
            raise SystemExit("clientela: the mapping file must hold a JSON object")
        return [str(columns.get(name, "")) for name in header]
    saved = ImportMapping.objects.filter(kind=kind, name=option).first()
    if saved is None:
        raise SystemExit(f"clientela: no saved mapping {option!r} for {kind}")
    return saved.apply(header)


class _ProgressBar:
    """``[#######.............]  35%  350,000 rows  24,000 rows/s`` on stderr."""

    WIDTH = 30

    def __init__(self):
        import time

        self.clock = time.monotonic
        self.started = self.clock()

    def __call__(self, job):
        done = job.progress_percent
        filled = self.WIDTH * done // 100
        rate = job.rows / max(self.clock() - self.started, 1e-6)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {done:3d}%  {job.rows:,} rows  {rate:,.0f} rows/s ")
        sys.stderr.flush()


def cmd_export(args):
    from django.utils.translation import gettext as _

    from clientela.contacts import io
    from clientela.core import permissions

    if args.kind == "all":
        return cmd_export_all(args)
    if args.file is not None and args.output is None:
        args.output = args.file
    model = _model(args.kind)
    if args.format not in io.EXPORT_FORMATS[model]:
        raise SystemExit(
            _("%(kind)s cannot be exported as %(format)s.")
            % {"kind": args.kind, "format": args.format}
        )
    queryset = model.objects.all()
    user = _user(args.username)
    if user is not None:
        queryset = permissions.visible(user, queryset)
    content = io.export_content(model, queryset, args.format)
    if hasattr(content, "read"):  # XLSX: a binary file
        with content:
            if args.output:
                with open(args.output, "wb") as out:
                    shutil.copyfileobj(content, out)
            else:
                shutil.copyfileobj(content, sys.stdout.buffer)
                sys.stdout.flush()
        return 0
    if args.output:
        with open(args.output, "w", encoding="utf-8", newline="") as out:
            for chunk in content:
                out.write(chunk)
        return 0
    try:
        for chunk in content:
            sys.stdout.write(chunk)
        sys.stdout.flush()
    except BrokenPipeError:
        # `clientela export contacts | head`: the reader has gone, which is not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def cmd_token_create(args):
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from clientela.core import tokens

    user = _user(args.username)
    expires_at = None
    if args.expires_days is not None:
        if args.expires_days < 1:
            raise SystemExit("clientela: --expires-days must be at least 1")
        expires_at = timezone.now() + timedelta(days=args.expires_days)
    _token, raw = tokens.create_token(user, args.name, expires_at=expires_at)
    # The token alone on stdout, so scripts can capture it; the explanation on stderr.
    print(raw)
    print(
        _("API token %(name)r created for %(user)s; it is shown only this once.")
        % {"name": args.name, "user": user.username},
        file=sys.stderr,
    )
    return 0


def _bench(argv):
    if not (REPO_ROOT / "bench" / "run.py").exists():
        print("clientela bench: the bench/ folder of the source tree is needed.", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO_ROOT))
    from bench import run

    return run.main(argv)


if __name__ == "__main__":
    sys.exit(main())
