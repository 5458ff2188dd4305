"""Forms of the loyalty pages: the programme, tiers, rewards, redeeming and adjusting points,
the at-risk period. They check shapes; ``services.loyalty`` keeps the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clientela.sales.choices import PurchaseStatus

from .models import LoyaltyProgram, LoyaltyTier, Reward
from .models.loyalty import MAX_POINTS
from .services.loyalty import MAX_NOTE


class ProgramForm(forms.ModelForm):
    earning_statuses = forms.MultipleChoiceField(
        label=_("Purchase statuses that earn points"),
        choices=PurchaseStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = LoyaltyProgram
        fields = [
            "active",
            "name",
            "points_per_unit",
            "expiry_days",
            "at_risk_days",
            "earning_statuses",
        ]
        help_texts = {
            "points_per_unit": _(
                "For each unit of the base currency of a purchase's total; rounded down."
            ),
            "expiry_days": _("Empty: points never expire."),
            "at_risk_days": _("Customers who bought before but not in this many days."),
        }


class VersionedForm(forms.ModelForm):
    """A form of a row two people may edit at once: the version read goes back with the
    changes (a stale one is refused)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def service_kwargs(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class TierForm(VersionedForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].required = False

    def clean_position(self):
        return self.cleaned_data["position"] or 0

    class Meta:
        model = LoyaltyTier
        fields = ["name", "min_points", "benefits", "position"]
        widgets = {"benefits": forms.Textarea(attrs={"rows": 3})}


class RewardForm(VersionedForm):
    class Meta:
        model = Reward
        fields = ["name", "description", "points_cost", "active", "stock"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"stock": _("Empty: no limit.")}


class RedeemForm(forms.Form):
    reward = forms.ModelChoiceField(label=_("Reward"), queryset=Reward.objects.none())
    note = forms.CharField(label=_("Note"), max_length=MAX_NOTE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reward"].queryset = Reward.objects.filter(active=True)
        self.fields["reward"].label_from_instance = lambda reward: (
            _("%(name)s (%(points)s)")
            % {
                "name": reward.name,
                "points": reward.points_cost,
            }
        )


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points"),
        min_value=-MAX_POINTS,
        max_value=MAX_POINTS,
        help_text=_("Negative to take points away."),
    )
    note = forms.CharField(label=_("Reason"), max_length=MAX_NOTE)


class AtRiskForm(forms.Form):
    days = forms.IntegerField(
        label=_("Days without a purchase"), min_value=1, max_value=3650, required=False
    )
