"""Keys that open a complaint's public status page: what a link in our messages carries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.case import Complaint
from tenants.models import TenantOwned


class AccessKey(TenantOwned):
    """A single-use key that opens one complaint's status page in one browser.

    Sent in a link to the complainant's contact on file (each email about the complaint, or a
    lookup that asked for one): following it proves the person holds that contact. Only the
    key's SHA-256 is stored, so the table cannot open anything; see ``complaints.access``.
    """

    class Purpose(models.TextChoices):
        EMAIL = "email", _("Link in a message about the complaint")
        LOOKUP = "lookup", _("Link asked for on the lookup page")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="+")
    key_hash = models.CharField(max_length=64)
    purpose = models.CharField(max_length=8, choices=Purpose.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["tenant", "complaint", "expires_at"], name="accesskey_complaint"),
            # For beat's purge of expired keys, every tenant's at once.
            models.Index(fields=["expires_at"], name="accesskey_expires_all_tenants"),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.complaint_id}"
