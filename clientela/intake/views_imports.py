"""Import pages: the history, a new upload, its mapping, its progress and result, the error
report, and undo.

An import is seen by the person who started it and by the managers of its records' area; it is
started by anyone who may create those records.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clientela.core import permissions
from clientela.core.views.records import page_links, page_or_first

from .forms import ImportMappingForm, ImportUploadForm
from .imports import fields
from .models import ImportJob, ImportMapping
from .services import imports as services

HISTORY_PAGE = 50


def _area(kind):
    return permissions.area_of(services.model_for(kind))


def visible_imports(user):
    """The imports ``user`` may see: their own, and all of the areas they manage."""
    managed = [k for k in fields.KINDS if permissions.can_manage(user, _area(k))]
    return ImportJob.objects.filter(created_by=user) | ImportJob.objects.filter(kind__in=managed)


def _job(request, pk):
    job = visible_imports(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@login_required
def import_list(request):
    page = page_or_first(
        visible_imports(request.user).select_related("created_by"),
        ["-created_at", "-id"],
        request.GET.get("cursor"),
        HISTORY_PAGE,
    )
    context = {"jobs": page.items, "page_links": page_links(request, page)}
    return render(request, "intake/import_list.html", context)


@login_required
def import_new(request):
    kinds = [k for k in fields.KINDS if permissions.can_write(request.user, _area(k))]
    if not kinds:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ImportUploadForm(data, request.FILES or None, initial={"kind": request.GET.get("kind")})
    form.fields["kind"].choices = [(k, fields.KIND_LABELS[k]) for k in kinds]
    if data is not None and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.start_import(
                upload, upload.name, kind=form.cleaned_data["kind"], actor=request.user
            )
        except ValidationError as error:
            for problem in error.message_dict.get("file", error.messages):
                form.add_error("file", problem)
        else:
            return redirect("intake:import_detail", pk=job.pk)
    status = 400 if data is not None and form.errors else 200
    return render(request, "intake/import_new.html", {"form": form}, status=status)


@login_required
def import_detail(request, pk):
    job = _job(request, pk)
    if job.status != "new":
        return render(request, "intake/import_detail.html", {"job": job})
    if job.created_by_id != request.user.pk:
        raise PermissionDenied  # only who uploaded it maps it
    targets = fields.targets_for(job.kind, services.model_for(job.kind))
    saved = ImportMapping.objects.filter(kind=job.kind).order_by("name")
    chosen = saved.filter(pk=request.GET.get("mapping") or 0).first()
    initial = {"on_duplicate": job.on_duplicate, "match_on": job.match_on}
    if chosen is not None:
        initial.update({f"column_{n}": m for n, m in enumerate(chosen.apply(job.header))})
    data = request.POST if request.method == "POST" else None
    form = ImportMappingForm(data, job=job, targets=targets, initial=initial)
    if data is not None and form.is_valid():
        mapping, options = form.mapping(), form.cleaned_data
        try:
            if options["save_as"]:
                services.save_mapping(
                    actor=request.user,
                    kind=job.kind,
                    name=options["save_as"],
                    header=job.header,
                    mapping=mapping,
                )
            services.configure_import(
                job,
                actor=request.user,
                mapping=mapping,
                on_duplicate=options["on_duplicate"],
                match_on=options["match_on"],
                dry_run=options["dry_run"],
            )
        except ValidationError as error:
            for problems in error.message_dict.values():
                form.add_error(None, problems)
        else:
            return redirect("intake:import_detail", pk=job.pk)
    context = {"job": job, "form": form, "saved": saved, "chosen": chosen}
    status = 400 if data is not None and form.errors else 200
    return render(request, "intake/import_mapping.html", context, status=status)


@login_required
def import_report(request, pk):
    job = _job(request, pk)
    if not job.report:
        raise Http404
    name = f"import-{job.pk}-errors.csv"
    return FileResponse(job.report.open("rb"), as_attachment=True, filename=name)


@login_required
def import_undo(request, pk):
    """A confirmation page, then the undo."""
    job = _job(request, pk)
    if not permissions.can_write(request.user, _area(job.kind)):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "intake/import_undo.html", {"job": job})
    try:
        summary = services.undo_import(job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Import undone: %(removed)d removed, %(restored)d restored, %(kept)d kept.")
            % summary,
        )
    return redirect("intake:import_detail", pk=job.pk)


@login_required
@require_POST
def import_again(request, pk):
    """A dry run's file imported for real, with the same mapping and policy."""
    job = _job(request, pk)
    try:
        again = services.repeat_import(job, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("intake:import_detail", pk=job.pk)
    return redirect("intake:import_detail", pk=again.pk)
