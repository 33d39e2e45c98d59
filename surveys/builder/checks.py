"""What a survey's name and questions must be: the checks every builder write shares, and the
limits the forms show."""

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _

from surveys.models import SCALES, QuestionKind
from tenants.errors import ApplicationError

LANGUAGE_CODES = tuple(code for code, _name in settings.LANGUAGES)
# The source language: a survey page shows it where a translation is missing.
FALLBACK_LANGUAGE = "en"
TEXT_MAX_LENGTH = 500
NAME_MAX_LENGTH = 200
# A free scale is drawn as one button per point: 0–10 at most, like NPS.
SCALE_BOUNDS = (0, 10)
MIN_CHOICES, MAX_CHOICES = 2, 12
CHOICE_VALUE_MAX_LENGTH = 100  # Answer.choice


def clean_texts(texts: dict, *, errors: dict, field: str) -> dict:
    """``{language: text}`` stripped, empty ones dropped; the English text is needed."""
    cleaned = {}
    for code, value in (texts or {}).items():
        if code not in LANGUAGE_CODES:
            errors.setdefault(field, []).append(
                _("%(code)s is not a survey language.") % {"code": code}
            )
            continue
        value = (value or "").strip()
        if len(value) > TEXT_MAX_LENGTH:
            errors.setdefault(f"{field}_{code}", []).append(
                _("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH}
            )
        if value:
            cleaned[code] = value
    if FALLBACK_LANGUAGE not in cleaned:
        errors.setdefault(f"{field}_{FALLBACK_LANGUAGE}", []).append(
            _("The English text is needed: it is shown where a translation is missing.")
        )
    return cleaned


def _english(choice: dict) -> str:
    return str((choice.get("label") or {}).get(FALLBACK_LANGUAGE) or "").strip().casefold()


def choice_values_derive(choices: list, *, previous: list) -> list[dict]:
    """Give each choice typed without a value one derived from its English label, stable
    across edits of a question whose choices were ``previous``.

    A label that was there before keeps its value, wherever it moved; a label typed over
    another in the same place (the old one gone) keeps that one's value, so answers already
    given stay counted under it; any other label gets its slug (or ``choice-N``), never a value
    the question used before for something else. A choice with a value keeps it.
    """
    previous = [c for c in previous or [] if isinstance(c, dict) and c.get("value")]
    known = {_english(c): c["value"] for c in previous}
    labels_now = {_english(c) for c in choices if isinstance(c, dict)}
    typed_over = {c["value"] for c in previous if _english(c) not in labels_now}
    taken = {str(c.get("value")).strip() for c in choices if c.get("value")}
    avoid = taken | {c["value"] for c in previous}
    derived = []
    for position, choice in enumerate(choices):
        if choice.get("value"):
            derived.append(choice)
            continue
        value = known.get(_english(choice))
        if value is None or value in taken:
            before = previous[position]["value"] if position < len(previous) else None
            if before in typed_over and before not in taken:
                value = before
            else:
                base = slugify(_english(choice))[: CHOICE_VALUE_MAX_LENGTH - 4].strip("-")
                base = base or f"choice-{position + 1}"
                value, suffix = base, 2
                while value in avoid:
                    value, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(value)
        avoid.add(value)
        derived.append({**choice, "value": value})
    return derived


def clean_choices(choices: list, *, errors: dict, previous: list | None = None) -> list[dict]:
    """The choices of a single-choice question. Each is ``{"label": {language: text}}`` with an
    English label (the other languages optional); its value is derived when it has none
    (:func:`choice_values_derive`)."""
    problems = []
    cleaned = []
    seen, seen_labels = set(), set()
    choices = [c for c in choices or [] if isinstance(c, dict)]
    choices = choice_values_derive(choices, previous=previous or [])
    for number, choice in enumerate(choices, start=1):
        value = str(choice.get("value") or "").strip()
        label_errors: dict = {}
        labels = clean_texts(choice.get("label") or {}, errors=label_errors, field="label")
        if not value:
            problems.append(_("Choice %(number)s has no value.") % {"number": number})
        elif len(value) > CHOICE_VALUE_MAX_LENGTH:
            problems.append(
                _("Choice %(number)s: the value is longer than %(count)s characters.")
                % {"number": number, "count": CHOICE_VALUE_MAX_LENGTH}
            )
        elif value in seen:
            problems.append(
                _("Choice %(number)s: the value “%(value)s” is used twice.")
                % {"number": number, "value": value}
            )
        seen.add(value)
        english = _english(choice)
        if english and english in seen_labels:
            problems.append(
                _("Choice %(number)s: the label “%(label)s” is used twice.")
                % {"number": number, "label": labels.get(FALLBACK_LANGUAGE, "")}
            )
        seen_labels.add(english)
        if label_errors:
            problems.append(
                _("Choice %(number)s needs an English label of at most %(count)s characters.")
                % {"number": number, "count": TEXT_MAX_LENGTH}
            )
        cleaned.append({"value": value, "label": labels})
    if not MIN_CHOICES <= len(cleaned) <= MAX_CHOICES:
        problems.insert(
            0,
            _("Give between %(low)s and %(high)s choices.")
            % {"low": MIN_CHOICES, "high": MAX_CHOICES},
        )
    if problems:
        errors["choices"] = problems
    return cleaned


def clean_question(
    *,
    kind: str,
    text: dict,
    is_primary: bool,
    is_required: bool,
    choices: list | None,
    scale_min: int | None,
    scale_max: int | None,
    previous_choices: list | None = None,
) -> dict:
    """The question's fields, normalised for its kind, or ApplicationError with every problem.

    Fields that do not apply to the kind are dropped (a scale's range on a text question);
    NPS, CSAT and CES always have their fixed range; the primary question is always required.
    """
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        raise ApplicationError(
            _("Choose the kind of question."), fields={"kind": [_("Unknown kind.")]}
        )
    cleaned = {
        "kind": kind,
        "text": clean_texts(text, errors=errors, field="text"),
        "is_primary": bool(is_primary),
        "is_required": bool(is_required) or bool(is_primary),
        "choices": [],
        "scale_min": None,
        "scale_max": None,
    }
    if kind in SCALES:
        cleaned["scale_min"], cleaned["scale_max"] = SCALES[kind]
    elif kind == QuestionKind.SCALE:
        low, high = SCALE_BOUNDS
        for name, value in (("scale_min", scale_min), ("scale_max", scale_max)):
            if value is None:
                errors.setdefault(name, []).append(_("Needed for a scale."))
            elif not low <= value <= high:
                errors.setdefault(name, []).append(
                    _("Between %(low)s and %(high)s.") % {"low": low, "high": high}
                )
        if scale_min is not None and scale_max is not None and scale_min >= scale_max:
            errors.setdefault("scale_max", []).append(_("Must be above the lowest point."))
        cleaned["scale_min"], cleaned["scale_max"] = scale_min, scale_max
    elif kind == QuestionKind.CHOICE:
        cleaned["choices"] = clean_choices(choices, errors=errors, previous=previous_choices)
    if is_primary and kind not in SCALES:
        errors.setdefault("is_primary", []).append(
            _(
                "Only an NPS, CSAT or CES question can be the primary one: it asks for the "
                "overall impression of the service."
            )
        )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, fields=errors)
    return cleaned


# The source language: a survey page shows it where a translation is missing.


# A free scale is drawn as one button per point: 0–10 at most, like NPS.


def clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the survey a name."), fields={"name": [_("Needed.")]})
    if len(name) > NAME_MAX_LENGTH:
        raise ApplicationError(
            _("The name is too long."),
            fields={"name": [_("At most %(count)s characters.") % {"count": NAME_MAX_LENGTH}]},
        )
    return name
