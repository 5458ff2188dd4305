"""Forms of the case pages. They validate input; services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.contacts.forms import CompanyChoiceField, OwnedRecordForm, companies_for
from clientela.contacts.models import Contact
from clientela.core.pickers import SearchedChoiceField, visible_or_current

from .choices import CaseStatus
from .models import CannedReply, Case, CaseCategory
from .models.cases import MAX_BODY
from .services.cases import CASE_FIELDS


class CaseForm(OwnedRecordForm):
    groups = [
        (_("Case"), ["subject", "description", "category", "priority", "status", "channel"]),
        (_("Customer"), ["contact", "company", "language"]),
        (_("Assignment"), ["owner", "team", "tags"]),
    ]
    wide_fields = ["subject", "description"]

    contact = SearchedChoiceField(
        Contact,
        "contact",
        "full_name",
        label=_("Contact"),
        error_messages={
            "not_found": _("No contact called “%(text)s” that you can see."),
            "ambiguous": _("Several contacts are called “%(text)s”; choose one."),
        },
    )
    company = CompanyChoiceField()

    class Meta:
        model = Case
        fields = list(CASE_FIELDS)
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        case = self.instance
        self.fields["contact"].queryset = visible_or_current(self.user, Contact, case.contact_id)
        self.fields["company"].queryset = companies_for(self.user, case.company_id)
        self.fields["category"].queryset = CaseCategory.objects.filter(active=True)
        self.fields["subject"].widget.attrs["autofocus"] = True
        if case.pk:
            # The description is the thread's first message: it is not edited afterwards.
            del self.fields["description"]
        else:
            self.fields["description"].help_text = _(
                "What the customer asked, in their words if you have them."
            )


class MessageForm(forms.Form):
    """A reply to the customer or an internal note, from the case page."""

    kind = forms.ChoiceField(
        choices=[("reply", _("Reply to the customer")), ("note", _("Internal note"))],
        widget=forms.RadioSelect,
        initial="reply",
        label=_("Send as"),
    )
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY, widget=forms.Textarea(attrs={"rows": 6})
    )
    canned = forms.ModelChoiceField(
        queryset=CannedReply.objects.filter(active=True), required=False, widget=forms.HiddenInput
    )
    status = forms.ChoiceField(
        label=_("Then set the status to"),
        required=False,
        choices=[("", _("Keep it as it is"))] + list(CaseStatus.choices),
        initial=CaseStatus.PENDING_CUSTOMER,
        help_text=_("For replies only."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CaseStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CannedReplyForm(forms.ModelForm):
    class Meta:
        model = CannedReply
        fields = [
            "title",
            "language",
            "body",
            "set_status",
            "set_priority",
            "set_category",
            "add_tags",
            "active",
        ]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["set_category"].queryset = CaseCategory.objects.filter(active=True)
