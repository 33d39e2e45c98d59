"""The public survey form: one field per question of the invitation's version.

Scored questions are radio groups (rendered as a fieldset with a legend, one labelled radio per
score), choices are radio groups too, free text is a text area. The form checks shapes and
ranges in the page's language; ``responses.submitting.response_submit`` checks them again.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.public_forms import PublicForm
from surveys.models import Question, localized
from surveys.scoring import SCALE_ENDS, QuestionKind

TEXT_MAX_LENGTH = 4000


def field_name(question: Question) -> str:
    return f"q{question.pk}"


class SurveyForm(PublicForm):
    # The server's messages, in the page's language, rather than the browser's own.
    use_required_attribute = False

    def __init__(
        self, *args, questions: list[Question], language: str, default_language: str, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[field_name(question)] = self._field(question, language, default_language)

    @staticmethod
    def _field(question: Question, language: str, default_language: str) -> forms.Field:
        label = question.text_in(language, default_language)
        required_message = _("Please answer this question.")
        scale = question.scale
        if scale:
            low, high = scale
            field = forms.TypedChoiceField(
                label=label,
                choices=[(n, str(n)) for n in range(low, high + 1)],
                coerce=int,
                empty_value=None,
                required=question.is_required,
                widget=forms.RadioSelect,
                error_messages={
                    "required": required_message,
                    "invalid_choice": _("Choose a number from %(low)s to %(high)s.")
                    % {"low": low, "high": high},
                },
            )
            field.ends = SCALE_ENDS.get(question.kind)
            field.scale = scale
        elif question.kind == QuestionKind.CHOICE:
            field = forms.ChoiceField(
                label=label,
                choices=[
                    (
                        choice["value"],
                        localized(choice.get("label", {}), language, default_language),
                    )
                    for choice in question.choices
                ],
                required=question.is_required,
                widget=forms.RadioSelect,
                error_messages={
                    "required": required_message,
                    "invalid_choice": _("Choose one of the answers."),
                },
            )
        else:
            field = forms.CharField(
                label=label,
                required=question.is_required,
                max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"required": required_message},
            )
        field.kind = question.kind
        return field

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(value not in (None, "") for value in cleaned.values()):
            raise forms.ValidationError(_("Please answer at least one question."))
        return cleaned

    def answers(self) -> dict[int, object]:
        """Question id → the cleaned answer, for ``response_submit``."""
        return {
            question.pk: self.cleaned_data.get(field_name(question)) for question in self.questions
        }

    def fields_in_order(self):
        return [self[field_name(question)] for question in self.questions]
