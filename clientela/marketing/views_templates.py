"""E-mail template pages: the list, the editor (one tab per language, a merge-field picker, a
preview pane), the preview itself, test sends, duplicate and the trash.

The preview is a page of its own (``template_preview``) shown in the editor's frame: the
editor's "Preview" button posts the form there (``formtarget``), so it works without
JavaScript; ``template_editor.js`` posts it again as the user types. Nothing is saved by a
preview. The page runs nothing: its own content security policy, the e-mail in a sandboxed
frame.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from clientela.core import permissions
from clientela.core.middleware import content_security_policy
from clientela.core.records import StaleRecord
from clientela.core.views.records import (
    RecordDeleteView,
    RecordPurgeView,
    RecordRestoreView,
    RecordViewMixin,
    TrashSection,
    TrashView,
    page_links,
    page_or_first,
)

from .filtersets_templates import EmailTemplateFilterSet
from .forms_templates import EmailTemplateForm, PreviewForm, TestSendForm, variant_forms
from .models import EmailTemplate, EmailTemplateVariant
from .rendering import compile_variant, merge_context, variant_for
from .rendering.fields import picker_fields
from .services import templates as services

PREVIEW_POLICY = (
    "default-src 'none'; img-src https: http: data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'self'"
)


class _TemplateView(RecordViewMixin, View):
    model = EmailTemplate
    url_prefix = "marketing:template"


class TemplateListView(_TemplateView):
    page_size = 50

    def get(self, request):
        self.require_read()
        queryset = self.visible().prefetch_related(
            Prefetch("variants", EmailTemplateVariant.objects.only("template_id", "language"))
        )
        filterset = EmailTemplateFilterSet(request.GET, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_valid() else queryset.none()
        page = page_or_first(rows.distinct(), ["name", "id"], request.GET.get("cursor"), 50)
        context = {
            **self.common_context(),
            "page": page,
            "templates": page.items,
            "page_links": page_links(request, page),
            "filterset": filterset,
            "query": request.GET.get("q", "")[:200],
        }
        return render(request, "marketing/templates/list.html", context)


class TemplateFormView(_TemplateView):
    """Create or edit a template with its variants. A "Preview" press (without JavaScript,
    when the frame cannot be targeted) re-shows the form with the preview, unsaved."""

    def load(self, pk):
        if pk is None:
            self.require_write()
            return None
        return self.get_changeable_record(pk)

    def get(self, request, pk=None):
        # Readers see the template and its preview; only who may change it gets "Save".
        template = self.get_visible_record(pk) if pk else self.load(None)
        form = EmailTemplateForm(instance=template, initial=self._initial(template))
        return self.render_editor(form, variant_forms(None, template), template)

    def post(self, request, pk=None):
        template = self.load(pk)
        form = EmailTemplateForm(request.POST, instance=template or EmailTemplate())
        variants = variant_forms(request.POST, template)
        status = 400
        if form.is_valid() and all(v.is_valid() for v in variants.values()):
            rows = [v.service_row() for v in variants.values() if not v.is_blank]
            try:
                if template is None:
                    saved = services.create_email_template(
                        actor=request.user,
                        owner=request.user,
                        variants=rows,
                        **form.service_kwargs(),
                    )
                else:
                    saved = services.update_email_template(
                        template,
                        actor=request.user,
                        expected_version=form.cleaned_data.get("version"),
                        variants=rows,
                        **form.service_kwargs(),
                    )
            except StaleRecord:
                form.add_error(
                    None, _("Someone saved this template meanwhile; reload it to see theirs.")
                )
                status = 409
            except ValidationError as error:
                _service_errors(error, form, variants)
            else:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved})
                return HttpResponseRedirect(self.url("detail", saved.pk))
        return self.render_editor(form, variants, template, status=status)

    def _initial(self, template):
        if template:
            return {}
        language = getattr(self.request, "LANGUAGE_CODE", "es")
        return {"default_language": language}

    def render_editor(self, form, variants, template, status=200):
        user = self.request.user
        context = {
            **self.common_context(),
            "form": form,
            "variants": variants,
            "template": template,
            "merge_fields": picker_fields(),
            "preview_form": PreviewForm(user=user),
            "can_change": template is None or permissions.can_change_record(user, template),
            "test_form": TestSendForm(user=user, prefix="test", initial={"to": user.email})
            if template and permissions.can_change_record(user, template)
            else None,
            "cancel_url": self.url("list"),
        }
        return render(self.request, "marketing/templates/form.html", context, status=status)


def _service_errors(error, form, variants):
    """``variants.<language>.<field>`` errors on that language's form, the rest on the
    template's."""
    for key, messages_ in error.message_dict.items():
        parts = key.split(".")
        if len(parts) == 3 and parts[1] in variants and parts[2] in variants[parts[1]].fields:
            variants[parts[1]].add_error(parts[2], messages_)
        elif key in form.fields:
            form.add_error(key, messages_)
        else:
            form.add_error(None, messages_)


class TemplatePreviewView(_TemplateView):
    """The editor's content (posted, not saved) rendered as the chosen contact sees it."""

    http_method_names = ["post"]

    def post(self, request):
        self.require_read()
        preview = PreviewForm(request.POST, user=request.user)
        variants = variant_forms(request.POST, None)
        context = {"errors": [], "rendered": None}
        if not (preview.is_valid() and all(v.is_valid() for v in variants.values())):
            context["errors"] = _form_errors(preview, *variants.values())
            return self.answer(context, 400)
        language = preview.cleaned_data["preview_language"] or request.POST.get(
            "default_language", ""
        )
        variant = variants.get(language)
        if variant is None or variant.is_blank:
            written = [code for code, v in variants.items() if not v.is_blank]
            if not written:
                context["errors"] = [_("Write the e-mail first.")]
                return self.answer(context, 200)
            variant = variants[written[0]]
        try:
            compiled = compile_variant(EmailTemplateVariant(**variant.service_row()))
        except ValidationError as error:
            context["errors"] = error.messages
            return self.answer(context, 200)
        values = sample_values(request.user, preview.cleaned_data["preview_contact"])
        context["rendered"] = compiled.render(values)
        return self.answer(context)

    def answer(self, context, status=200):
        return render(self.request, "marketing/templates/preview.html", context, status=status)

    @classmethod
    def as_view(cls, **kwargs):
        view = super().as_view(**kwargs)
        return content_security_policy(PREVIEW_POLICY)(xframe_options_sameorigin(view))


def sample_values(user, contact=None):
    """Merge values of ``contact`` (the preview's), else of the user as a stand-in."""
    if contact is not None:
        values = merge_context(
            contact, contact.company, contact.owner, language=contact.language or None
        )
    else:
        values = merge_context(
            {
                "first_name": user.first_name or user.get_username(),
                "last_name": user.last_name,
                "email": user.email,
            },
            None,
            user,
        )
    return {**values, **services.preview_links()}


def _form_errors(*forms):
    return [str(m) for f in forms for field_errors in f.errors.values() for m in field_errors]


class TemplateTestSendView(_TemplateView):
    """Send the saved template, as the chosen contact, to the typed addresses."""

    http_method_names = ["post"]

    def post(self, request, pk):
        template = self.get_changeable_record(pk)
        form = TestSendForm(request.POST, user=request.user, prefix="test")
        if not form.is_valid():
            messages.error(request, " ".join(_form_errors(form)))
            return HttpResponseRedirect(self.url("detail", pk))
        language = form.cleaned_data["preview_language"] or template.default_language
        compiled = variant_for(template, language)
        values = sample_values(request.user, form.cleaned_data["preview_contact"])
        rendered = compiled.render(values)
        try:
            services.send_test_email(rendered, actor=request.user, to=form.cleaned_data["to"])
        except OSError as error:  # the mail server refused or cannot be reached
            messages.error(
                request, _("The test could not be sent: %(error)s") % {"error": str(error)[:200]}
            )
        else:
            messages.success(
                request,
                _("Test sent to %(to)s.") % {"to": ", ".join(form.cleaned_data["to"])},
            )
        return HttpResponseRedirect(self.url("detail", pk))


class TemplateDuplicateView(_TemplateView):
    http_method_names = ["post"]

    def post(self, request, pk):
        template = self.get_visible_record(pk)
        self.require_write()
        copy = services.duplicate_email_template(template, actor=request.user)
        messages.success(request, _("“%(name)s” created.") % {"name": copy})
        return HttpResponseRedirect(self.url("detail", copy.pk))


class TemplateDeleteView(RecordDeleteView):
    model = EmailTemplate
    url_prefix = "marketing:template"
    delete_service = staticmethod(services.delete_email_templates)


class TemplateRestoreView(RecordRestoreView):
    model = EmailTemplate
    url_prefix = "marketing:template"
    service = staticmethod(services.restore_email_templates)

    def success_url(self, record):
        return self.url("detail", record.pk)


class TemplatePurgeView(RecordPurgeView):
    model = EmailTemplate
    url_prefix = "marketing:template"
    service = staticmethod(services.purge_email_templates)
    trash_url_name = "marketing:template_trash"


class TemplateTrashView(TrashView):
    sections = (
        TrashSection(EmailTemplate, gettext_lazy("E-mail templates"), "marketing:template", "t"),
    )

    def get(self, request):
        if not permissions.can_write(request.user, "marketing"):
            raise PermissionDenied
        return super().get(request)
