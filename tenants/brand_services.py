"""The settings pages' writes to a tenant's brands: name, slug, reference prefix, colour (it
must read: WCAG AA), logo (PNG or JPEG, checked by its bytes), senders, public contact
details, the how-to-complain text per language, active or not. Audited in the transaction."""

import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email, validate_slug
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tenants.audit import audit_record, field_changes
from tenants.branding import COLOUR, DARK_INK, LIGHT_INK, colour_is_readable, contrast_ratio
from tenants.errors import ApplicationError
from tenants.guards import reference_prefix_refusals
from tenants.models import RESERVED_BRAND_SLUGS, Brand, BrandText, Membership

BRAND_FIELDS = (
    "name",
    "slug",
    "reference_prefix",
    "colour",
    "phone",
    "contact_email",
    "postal_address",
    "sender_name",
    "sender_email",
    "reply_to_email",
    "is_active",
)
LOGO_MAX_BYTES = 512 * 1024
# A logo's name ending → the type its bytes must be. No SVG: it can carry script.
LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# Characters that would break the From header a sender name goes into.
ADDRESS_BREAKERS = set('<>",;\\\r\n')
TEXT_MAX_LENGTH = BrandText._meta.get_field("how_to_complain").max_length


def logo_content_type(head: bytes) -> str | None:
    """The image type the first bytes of a file say (magic numbers, not its name)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def logo_check(upload: UploadedFile) -> str:
    """The logo's content type; refused unless it is a PNG or JPEG image up to
    ``LOGO_MAX_BYTES`` whose bytes agree with its name (an SVG or a page renamed .png is not)."""
    refused = _("“%(name)s” is not a PNG or JPEG image.") % {"name": upload.name}
    expected = LOGO_TYPES.get(Path(upload.name).suffix.lower())
    if expected is None:
        raise ApplicationError(refused, fields={"logo": [refused]})
    if upload.size > LOGO_MAX_BYTES:
        message = _("“%(name)s” is larger than %(kb)s KB.") % {
            "name": upload.name,
            "kb": LOGO_MAX_BYTES // 1024,
        }
        raise ApplicationError(message, fields={"logo": [message]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if logo_content_type(head) != expected:
        raise ApplicationError(refused, fields={"logo": [refused]})
    return expected


def colour_problem(colour: str) -> str | None:
    """Why ``colour`` cannot be a brand's colour, or None."""
    if not COLOUR.fullmatch(colour or ""):
        return _("Enter a colour as #RRGGBB.")
    if not colour_is_readable(colour):
        best = max(contrast_ratio(colour, LIGHT_INK), contrast_ratio(colour, DARK_INK))
        return _(
            "Text on %(colour)s reaches at most %(ratio)s:1, white or dark; buttons need "
            "4.5:1 to be read (WCAG AA). Choose a darker or a lighter colour."
        ) % {"colour": colour, "ratio": f"{best:.2f}"}
    return None


def _problems(actor: Membership, values: dict, *, brand: Brand | None) -> dict[str, list]:
    problems: dict[str, list] = {}
    brands = Brand.objects.for_tenant(actor.tenant_id)
    if brand is not None:
        brands = brands.exclude(pk=brand.pk)

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    if not values["name"]:
        refuse("name", _("Give the brand a name."))
    try:
        validate_slug(values["slug"])
    except ValidationError:
        refuse("slug", _("Use letters, digits, hyphens and underscores only."))
    else:
        if values["slug"] in RESERVED_BRAND_SLUGS:
            refuse("slug", _("“%(value)s” is reserved.") % {"value": values["slug"]})
        elif brands.filter(slug=values["slug"]).exists():
            refuse("slug", _("Another brand already has this slug."))
    prefix = values["reference_prefix"]
    if not (prefix.isascii() and prefix.isalpha() and prefix.isupper() and 2 <= len(prefix) <= 6):
        refuse("reference_prefix", _("Two to six capital letters."))
    elif brands.filter(reference_prefix=prefix).exists():
        refuse("reference_prefix", _("Another brand already has this prefix."))
    elif brand is None or brand.reference_prefix != prefix:
        for message in reference_prefix_refusals(brand or Brand(tenant=actor.tenant), prefix):
            refuse("reference_prefix", message)
    if message := colour_problem(values["colour"]):
        refuse("colour", message)
    if not values["sender_name"]:
        refuse("sender_name", _("Give the name customers see the brand's emails from."))
    elif ADDRESS_BREAKERS & set(values["sender_name"]):
        refuse("sender_name", _('A sender name cannot hold < > " , ; or \\.'))
    for field in ("sender_email", "reply_to_email", "contact_email"):
        if values[field] or field == "sender_email":
            try:
                validate_email(values[field])
            except ValidationError:
                refuse(field, _("Enter a valid email address."))
    return problems


def _text_problems(texts: dict[str, str]) -> dict[str, list]:
    languages = dict(settings.LANGUAGES)
    problems = {}
    for language, text in texts.items():
        if language not in languages:
            raise TypeError(f"not a language of the app: {language}")
        if len(text) > TEXT_MAX_LENGTH:
            problems[f"how_to_complain_{language}"] = [
                _("At most %(count)s characters.") % {"count": TEXT_MAX_LENGTH}
            ]
    return problems


def _state(brand: Brand) -> dict:
    return {name: getattr(brand, name) for name in BRAND_FIELDS} | {"logo": brand.logo.name}


def _texts_save(actor: Membership, brand: Brand, texts: dict[str, str]) -> dict:
    """Write the brand's texts (an empty one removed); their changes for the audit entry."""
    rows = BrandText.objects.for_tenant(actor.tenant_id).filter(brand=brand)
    before = dict(rows.values_list("language", "how_to_complain"))
    changes = {}
    for language, text in texts.items():
        if text == before.get(language, ""):
            continue
        changes[f"how_to_complain_{language}"] = [before.get(language), text or None]
        if text:
            BrandText.objects.update_or_create(
                tenant_id=actor.tenant_id,
                brand=brand,
                language=language,
                defaults={"how_to_complain": text},
            )
        else:
            rows.filter(language=language).delete()
    return changes


@transaction.atomic
def brand_save(
    *,
    actor: Membership,
    brand: Brand | None = None,
    texts: dict[str, str] | None = None,
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
    **values,
) -> Brand:
    """Add a brand (``brand`` None) or change one (``BRAND_FIELDS``; ``texts``: the
    how-to-complain text by language, an empty one removed; a new ``logo``, or
    ``remove_logo``). Refuses a slug or reference prefix another brand has, a colour no ink
    reads on, a logo that is not a PNG or JPEG by its bytes."""
    unknown = set(values) - set(BRAND_FIELDS)
    if unknown:
        raise TypeError(f"not brand fields: {sorted(unknown)}")
    for name in BRAND_FIELDS:
        if name != "is_active":
            values[name] = (values.get(name) or "").strip()
    values["reference_prefix"] = values["reference_prefix"].upper()
    values["colour"] = values["colour"].lower()
    values.setdefault("is_active", True)
    texts = {language: (text or "").strip() for language, text in (texts or {}).items()}
    if brand is not None:
        brand = Brand.objects.for_tenant(actor.tenant_id).select_for_update().get(pk=brand.pk)
    problems = _problems(actor, values, brand=brand) | _text_problems(texts)
    if logo is not None:
        try:
            logo_check(logo)
        except ApplicationError as error:
            problems |= error.fields
    if problems:
        raise ApplicationError(next(iter(problems.values()))[0], fields=problems)

    before = _state(brand) if brand else {}
    row = brand or Brand(tenant=actor.tenant)
    for name, value in values.items():
        setattr(row, name, value)
    old_logo = row.logo.name
    if logo is not None:
        extension = Path(logo.name).suffix.lower()
        row.logo.save(f"{actor.tenant_id}-{secrets.token_hex(8)}{extension}", logo, save=False)
    elif remove_logo:
        row.logo = ""
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the same slug or prefix, taken at the same moment
        if logo is not None:
            row.logo.storage.delete(row.logo.name)
        message = _("Another brand already has this slug or prefix.")
        raise ApplicationError(message, fields={"slug": [message]}) from None
    if old_logo and old_logo != row.logo.name:
        storage = row.logo.storage
        transaction.on_commit(lambda: storage.delete(old_logo))
    changes = field_changes(before, _state(row)) | _texts_save(actor, row, texts)
    if changes:
        audit_record(
            tenant=actor.tenant,
            actor=actor.user,
            action="brand.changed" if brand else "brand.created",
            target=row,
            changes=changes,
        )
    return row
