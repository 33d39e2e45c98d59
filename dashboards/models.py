"""The dashboards' stored rows: the monthly complaint-analysis reports, kept as issued."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import TenantOwned


class MonthlyReport(TenantOwned):
    """A tenant's complaint-analysis report of one month, kept exactly as it was sent: its page
    (``html``, rendered once in the tenant's language and time zone) and its PDF. The archive
    shows them as they are; nothing recomputes them.

    One per tenant and month (``monthly_report_unique_month``): a second run of the monthly task
    finds it and neither renders nor sends anything again. Only ``dashboards.reports`` writes
    rows.
    """

    month = models.DateField(_("month"), help_text=_("Its first day."))
    language = models.CharField(_("language"), max_length=8)
    html = models.TextField()
    pdf = models.BinaryField()
    # The managers it was emailed to.
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(_("issued at"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        constraints = [
            # Also the archive's index: a tenant's reports, by month.
            models.UniqueConstraint(fields=["tenant", "month"], name="monthly_report_unique_month")
        ]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month:%Y-%m}"
