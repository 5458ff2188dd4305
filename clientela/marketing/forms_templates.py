"""Forms of the e-mail template editor: the template, one form per language (prefix = the
language code), and the preview and test-send choices. They validate input; services write."""

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from clientela.contacts.models import Contact
from clientela.core import permissions
from clientela.core.pickers import SearchedChoiceField

from .choices import BodyFormat
from .models import EmailTemplate, EmailTemplateVariant
from .models.templates import MAX_BODY
from .services.templates import MAX_TEST_RECIPIENTS


class EmailTemplateForm(forms.ModelForm):
    # The version the editor started from: a save over someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = EmailTemplate
        fields = ["name", "purpose", "default_language", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_kwargs(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class VariantForm(forms.ModelForm):
    """One language of the template; left blank, the template has no variant in it."""

    body = forms.CharField(
        label=_("Body"),
        required=False,
        strip=False,
        max_length=MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 18, "class": "code", "data-merge-target": ""}),
        help_text=_(
            "Markdown (**bold**, # headings, [links](https://…)) or HTML. Merge fields: "
            '{{ contact.first_name }}, with a fallback {{ contact.first_name | default:"friend" }}.'
        ),
    )

    class Meta:
        model = EmailTemplateVariant
        fields = ["subject", "preheader", "body_format", "body"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].required = False

    @property
    def language_name(self):
        return dict(settings.LANGUAGES)[self.prefix]

    @property
    def is_blank(self):
        data = getattr(self, "cleaned_data", {})
        return not (data.get("subject") or "").strip() and not (data.get("body") or "").strip()

    def service_row(self):
        return {
            "language": self.prefix,
            **{name: self.cleaned_data[name] for name in self._meta.fields},
        }


def variant_forms(data, template):
    """``{language: VariantForm}`` for every language, filled from ``template``'s variants."""
    stored = {v.language: v for v in template.variants.all()} if template else {}
    return {
        code: VariantForm(
            data,
            prefix=code,
            instance=stored.get(code),
            initial=None if code in stored else {"body_format": BodyFormat.MARKDOWN},
        )
        for code, _label in settings.LANGUAGES
    }


class PreviewForm(forms.Form):
    """Whose values and which language the preview (and a test message) shows."""

    preview_language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, required=False
    )
    preview_contact = SearchedChoiceField(
        Contact,
        "contact",
        "full_name",
        label=_("Preview as"),
        help_text=_("Empty: your own name and address."),
        error_messages={
            "not_found": _("No contact called “%(text)s” that you can see."),
            "ambiguous": _("Several contacts are called “%(text)s”; choose one."),
        },
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preview_contact"].queryset = permissions.visible(user, Contact.objects.all())


class TestSendForm(PreviewForm):
    to = forms.CharField(
        label=_("Send a test to"),
        max_length=1000,
        help_text=_("Up to five addresses, separated by commas."),
    )

    def clean_to(self):
        addresses = [a.strip() for a in self.cleaned_data["to"].split(",") if a.strip()]
        if not addresses or len(addresses) > MAX_TEST_RECIPIENTS:
            raise forms.ValidationError(
                _("Give one to %(n)d addresses.") % {"n": MAX_TEST_RECIPIENTS}
            )
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an e-mail address.") % {"address": address[:100]}
                ) from None
        return addresses
