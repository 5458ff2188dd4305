from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Survey
from .services import feedback


class SurveyForm(forms.ModelForm):
    """A survey: what it asks, when it is sent and where each kind of answer goes."""

    questions_text = forms.CharField(
        label=_("More questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional: up to five short questions, one per line, answered in words."),
        max_length=2000,
    )

    class Meta:
        model = Survey
        fields = [
            "name",
            "kind",
            "question",
            "trigger",
            "is_active",
            "detractor_team",
            "alert_owner",
            "promoter_team",
            "promoter_stage",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["questions_text"] = "\n".join(self.instance.questions)

    def clean_questions_text(self):
        try:
            return feedback.clean_questions(self.cleaned_data["questions_text"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["questions"]) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "questions" and not cleaned.get("questions_text"):
            self.add_error("questions_text", _("A survey of questions only needs a question."))
        return cleaned

    def save(self, commit=True):
        self.instance.questions = self.cleaned_data["questions_text"]
        return super().save(commit)
