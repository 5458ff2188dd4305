"""The segment form: name, description, type and tags; the rules come from the rule rows or
the JSON box (``rule_rows``) and are checked by the services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.core.views.records import RecordForm

from .models import Segment


class SegmentForm(RecordForm):
    groups = [(_("Segment"), ["name", "kind", "owner", "team", "tags", "description"])]
    wide_fields = ["description"]

    class Meta:
        model = Segment
        fields = ["name", "kind", "owner", "team", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a list is made by freezing, never by changing the type
            self.fields["kind"].disabled = True
        self.fields["kind"].widget.attrs["data-segment-kind"] = ""


class MembersForm(forms.Form):
    """Contacts to put on (or take off) a static list, by id: one per line or comma."""

    contacts = forms.CharField(
        label=_("Contact ids"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separate ids with commas or new lines."),
    )
    action = forms.ChoiceField(choices=[("add", _("Add")), ("remove", _("Remove"))])

    def clean_contacts(self):
        parts = self.cleaned_data["contacts"].replace("\n", ",").split(",")
        ids = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            if not part.isdigit() or len(part) > 18:
                raise forms.ValidationError(
                    _("“%(value)s” is not a contact id.") % {"value": part[:30]}
                )
            ids.append(int(part))
        if not ids:
            raise forms.ValidationError(_("Enter at least one contact id."))
        return ids
