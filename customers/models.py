"""The people a tenant serves: who complains, who is surveyed. Below complaints and surveys,
which both point here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantOwned


class Segment(models.TextChoices):
    STANDARD = "standard", _("Standard")
    VIP = "vip", _("VIP")
    WATCHLIST = "watchlist", _("Watchlist")


class Customer(TenantOwned):
    """One person who complains or is surveyed, found again by their contact keys.

    ``email_key`` and ``phone_key`` are what matching compares (``customers.keys``); only
    ``customers.services`` writes them.
    """

    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email_key = models.CharField(max_length=254, blank=True, editable=False)
    phone_key = models.CharField(max_length=32, blank=True, editable=False)
    language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    segment = models.CharField(
        _("segment"), max_length=12, choices=Segment.choices, default=Segment.STANDARD
    )
    consent_email = models.BooleanField(_("agrees to email"), default=True)
    consent_sms = models.BooleanField(_("agrees to SMS"), default=False)
    survey_opt_out = models.BooleanField(_("no surveys"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email_key"],
                condition=~models.Q(email_key=""),
                name="customer_unique_email",
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "name"], name="customer_tenant_name"),
            # A phone is not a person: a family or an office shares one (see services).
            models.Index(
                fields=["tenant", "phone_key"],
                condition=~models.Q(phone_key=""),
                name="customer_tenant_phone",
            ),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        return self.name
