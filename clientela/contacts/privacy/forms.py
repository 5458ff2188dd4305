"""Forms of the privacy pages: recording consent, asking for an erasure, a retention rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import ConsentPurpose, ConsentSource, LawfulBasis
from .audit import MAX_REASON
from .consent import MAX_NOTE, MAX_TEXT
from .retention import MAX_PERIOD

# What a person at the keyboard may say consent came from (the others are set by the system).
TYPED_SOURCES = [
    (value, label)
    for value, label in ConsentSource.choices
    if value not in ("double_opt_in", "withdrawal_link", "retention", "web_form", "api", "import")
]


class ConsentRecordForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("grant", _("Record consent")), ("withdraw", _("Record withdrawal"))],
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ConsentPurpose.choices)
    lawful_basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=LawfulBasis.choices, initial=LawfulBasis.CONSENT
    )
    source = forms.ChoiceField(label=_("How"), choices=TYPED_SOURCES)
    text = forms.CharField(
        label=_("Text the person agreed to"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_NOTE)


class ErasureForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("What to do"),
        widget=forms.RadioSelect,
        choices=[
            (
                "anonymise",
                _(
                    "Anonymise: remove every personal datum, keep deals and purchases for the "
                    "accounts"
                ),
            ),
            ("purge", _("Purge: delete the person and everything about them, trash included")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=MAX_REASON,
        help_text=_("Kept in the audit log, e.g. “Request by e-mail of 3 May”."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(label=_("I understand that this cannot be undone."), required=True)


class RetentionRuleForm(forms.Form):
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    period = forms.IntegerField(label=_("After"), min_value=1, max_value=MAX_PERIOD)
