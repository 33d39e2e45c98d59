"""The monthly complaint-analysis report: the month before, issued once, kept as it was sent.

* **Figures.** Every figure is a dashboard selector's (``complaints_dashboard``,
  ``action_effects``, ``nps_dashboard``, ``csat_dashboard``; volumes by brand
  ``complaints.metrics.volume_by``), hence ``complaints.metrics``' and ``surveys.metrics``',
  over the month for the whole tenant as the tenant sees it
  (``DashboardFilterSet.whole_tenant``): nothing here computes a figure. The SLA clocks and the
  backlog are as they stand when the report is issued; the effectiveness table takes the
  corrective actions completed in the six months up to the month's end (one completed in the
  month has no month after it yet).
* **When.** Celery beat runs :func:`monthly_reports_due` on the first day of each month at
  12:00 UTC (``config/celery.py``): by then the month has ended in every time zone
  (UTC−12 … UTC+14). A tenant's month is the one before its current month in its time zone;
  a tenant created after that month had ended gets none.
* **Once.** One :class:`~dashboards.models.MonthlyReport` per tenant and month (a unique key):
  a second run (beat twice, a retried task) finds it and neither renders nor sends anything;
  two at once both render, one stores it and sends it, the other returns that one. Each
  manager's email has a key of its own in the outbox, so it is sent once.
* **Language and time.** The tenant's language (``Tenant.default_language``) and time zone.
* **PDF.** weasyprint renders the same HTML with ``static/css/report.css``; it reads the app's
  static files and nothing else (``dashboards.report_pdf``): no network.
* **Recipients.** The tenant's active managers with an email address, one email each with the
  PDF attached (stored with the delivery before the transaction commits).
* **Audit.** ``monthly_report.issued`` (by the system) when it is stored; each PDF download is
  an ``export.downloaded`` (``dashboards.exports``' action) on the report.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify

from complaints import metrics
from dashboards import complaints_charts, exports
from dashboards.complaints_selectors import (
    ActionEffect,
    ComplaintsDashboard,
    Named,
    action_effects,
    complaints_dashboard,
)
from dashboards.csat_selectors import CsatDashboard, csat_dashboard
from dashboards.filters import DashboardFilterSet, Period
from dashboards.models import MonthlyReport
from dashboards.selectors import NpsDashboard, names_of, nps_dashboard
from notifications.services import Attachment, delivery_enqueue
from ratings.periods import local_day
from tenants import rls
from tenants.audit import audit_record
from tenants.models import Brand, Membership, Tenant
from tenants.permissions import managers_among

ISSUED = "monthly_report.issued"
BODY_TEMPLATE = "dashboards/report_body.html"
DOCUMENT_TEMPLATE = "dashboards/report_document.html"
EMAIL_TEMPLATE = "notifications/email/monthly_report"
PDF_CONTENT_TYPE = "application/pdf"
# The actions whose effectiveness a report shows: completed in this many months up to its end.
EFFECT_MONTHS = metrics.MONTHS_AROUND


# --- the month ----------------------------------------------------------------------------------


def month_before(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return metrics.add_months(day.replace(day=1), -1)


def month_period(month: date) -> Period:
    """Every day of the month that starts on ``month``."""
    return Period(month, metrics.add_months(month, 1) - timedelta(days=1))


# --- the figures --------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthlyFigures:
    """What a report shows: plain values from the dashboards' selectors."""

    tenant: Tenant
    month: date
    period: Period
    issued_at: datetime
    complaints: ComplaintsDashboard
    by_brand: list[Named]  # value: complaints received
    effects_period: Period
    effects: list[ActionEffect]
    nps: NpsDashboard
    csat: CsatDashboard

    @property
    def open_now(self) -> int:
        """The backlog: every complaint open when the report was issued (its age buckets)."""
        return sum(bucket.complaints for bucket in self.complaints.backlog)


def monthly_figures(tenant: Tenant, month: date) -> MonthlyFigures:
    """The figures of ``tenant``'s report of ``month`` (its first day), as of now."""
    zone = ZoneInfo(tenant.time_zone)
    period = month_period(month)
    filters = DashboardFilterSet.whole_tenant(tenant, period)
    if not filters.is_valid():  # a month from 2000 on is always valid: a bug, not input
        raise ValueError(f"report filters refused: {filters.form.errors.as_json()}")
    member = filters.member
    received = metrics.volume_by(filters.complaints(period), "month", "brand", zone=zone)
    brands = names_of(Brand, tenant.pk)
    by_brand = [Named(key, brands.get(key, ""), count) for (_first, key), count in received.items()]
    effects_period = Period(metrics.add_months(month, 1 - EFFECT_MONTHS), period.end)
    effects_filters = DashboardFilterSet.whole_tenant(tenant, effects_period)
    effects_filters.is_valid()
    today = local_day(timezone.now(), tenant.time_zone)
    return MonthlyFigures(
        tenant=tenant,
        month=month,
        period=period,
        issued_at=timezone.now(),
        complaints=complaints_dashboard(member, filters),
        by_brand=sorted(by_brand, key=lambda row: (-row.value, row.name)),
        effects_period=effects_period,
        effects=action_effects(member, effects_filters, today, zone),
        nps=nps_dashboard(member, filters),
        csat=csat_dashboard(member, filters, None),
    )


# --- the page and the PDF -----------------------------------------------------------------------


def _context(figures: MonthlyFigures) -> dict:
    """The body template's context: the figures and the labels the dashboards give them."""
    page = figures.complaints
    labels = complaints_charts.clock_labels()
    return {
        "report": figures,
        "tenant": figures.tenant,
        "units": [complaints_charts.unit_label(days, page.trend_unit) for days in page.units],
        "sla": [(label, page.sla[clock]) for clock, label in labels.items()],
        "sla_brands": [
            (row.name, [row.value[clock] for clock in labels]) for row in page.sla_by_brand
        ],
        "clocks": list(labels.values()),
        "backlog": [(complaints_charts.age_label(bucket), bucket) for bucket in page.backlog],
    }


def monthly_report_body(figures: MonthlyFigures) -> str:
    """The report's HTML (what the page shows inside the layout, and the PDF's body), in the
    tenant's language and time zone."""
    tenant = figures.tenant
    with translation.override(tenant.default_language), timezone.override(tenant.time_zone):
        return render_to_string(BODY_TEMPLATE, _context(figures))


def monthly_report_pdf(*, tenant: Tenant, month: date, body: str) -> bytes:
    """The PDF of a report's ``body`` (:func:`monthly_report_body`), A4, with the report's
    print stylesheet."""
    from dashboards.report_pdf import pdf_of  # weasyprint: see that module's doc

    with translation.override(tenant.default_language):
        document = render_to_string(
            DOCUMENT_TEMPLATE, {"tenant": tenant, "month": month, "body": body}
        )
    return pdf_of(document)


def pdf_filename(report: MonthlyReport, tenant: Tenant) -> str:
    return f"{slugify(f'{tenant.slug}-complaint-report')}-{report.month:%Y-%m}.pdf"


# --- issuing ------------------------------------------------------------------------------------


def monthly_reports_due(*, now: datetime | None = None) -> list[tuple[int, date]]:
    """``(tenant id, month)`` of every active tenant whose report of the month before its
    current one (in its time zone) is not issued yet; not for a month that ended before the
    tenant was created."""
    now = now or timezone.now()
    due = []
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        month = month_before(local_day(now, tenant.time_zone))
        ended = month_period(month).instants(tenant.time_zone)[1]
        if tenant.created_at >= ended:
            continue
        with rls.tenant(tenant):
            issued = MonthlyReport.objects.for_tenant(tenant).filter(month=month).exists()
        if not issued:
            due.append((tenant.pk, month))
    return due


def monthly_report_issue(*, tenant: Tenant, month: date) -> MonthlyReport:
    """Issue ``tenant``'s report of ``month`` (its first day) and email it to the managers;
    the report already issued for that month, if there is one (see the module's doc)."""
    with rls.tenant(tenant):
        issued = MonthlyReport.objects.for_tenant(tenant).filter(month=month).first()
        if issued is not None:
            return issued
        figures = monthly_figures(tenant, month)
        body = monthly_report_body(figures)
        pdf = monthly_report_pdf(tenant=tenant, month=month, body=body)
        managers = list(
            managers_among(Membership.objects.for_tenant(tenant))
            .filter(user__is_active=True)
            .exclude(user__email="")
            .select_related("user")
            .order_by("pk")
        )
        with transaction.atomic():
            try:
                with transaction.atomic():
                    report = MonthlyReport.objects.create(
                        tenant=tenant,
                        month=month,
                        language=tenant.default_language,
                        html=body,
                        pdf=pdf,
                        recipients=len(managers),
                        created_at=figures.issued_at,
                    )
            except IntegrityError:
                # Another run stored it meanwhile, and sends it.
                return MonthlyReport.objects.for_tenant(tenant).get(month=month)
            audit_record(
                tenant=tenant,
                actor=None,
                action=ISSUED,
                target=report,
                changes={"month": [None, f"{month:%Y-%m}"], "recipients": [None, len(managers)]},
            )
            _email(report, figures, managers)
    return report


def outbox_key(*, month: date, member_id: int) -> str:
    """Unique per tenant: a month's report is emailed to each manager once."""
    return f"monthly-report-{month:%Y-%m}-member-{member_id}"


def _email(report: MonthlyReport, figures: MonthlyFigures, managers: list[Membership]) -> None:
    """One email per manager, the PDF attached, in the tenant's language and time zone."""
    tenant = figures.tenant
    path = reverse("dashboard-report", kwargs={"tenant_slug": tenant.slug, "report_id": report.pk})
    attachment = Attachment(
        filename=pdf_filename(report, tenant),
        content=bytes(report.pdf),
        content_type=PDF_CONTENT_TYPE,
    )
    with translation.override(report.language), timezone.override(tenant.time_zone):
        for manager in managers:
            context = {
                "report": figures,
                "name": manager.user.get_full_name() or manager.user.email,
                "url": f"{settings.SITE_URL.rstrip('/')}{path}",
                "sla": figures.complaints.sla["resolve"],
            }
            subject = render_to_string(f"{EMAIL_TEMPLATE}_subject.txt", context)
            delivery_enqueue(
                tenant=tenant,
                dedupe_key=outbox_key(month=report.month, member_id=manager.pk),
                recipient=manager.user.email,
                subject=" ".join(subject.split()),
                body=render_to_string(f"{EMAIL_TEMPLATE}.txt", context),
                template=EMAIL_TEMPLATE,
                attachments=[attachment],
            )


# --- reading ------------------------------------------------------------------------------------


def monthly_reports(tenant: Tenant):
    """The archive: the tenant's reports, latest month first, without their page or PDF."""
    return MonthlyReport.objects.for_tenant(tenant).defer("html", "pdf").order_by("-month")


def monthly_report_or_404(member: Membership, report_id: int, *, pdf: bool = False):
    """One report of the member's tenant (with its page, or with its PDF), or the 404 of a
    report that does not exist."""
    rows = MonthlyReport.objects.for_tenant(member.tenant_id).defer("html" if pdf else "pdf")
    try:
        return rows.get(pk=report_id)
    except MonthlyReport.DoesNotExist as missing:
        raise Http404("No monthly report matches the given query.") from missing


def monthly_report_downloaded(*, member: Membership, report: MonthlyReport) -> None:
    """Record that ``member`` downloaded the report's PDF (``dashboards.exports``' action)."""
    audit_record(
        tenant=member.tenant,
        actor=member.user,
        action=exports.AUDIT_ACTION,
        target=report,
        changes={
            "export": [None, "monthly_report"],
            "format": [None, "pdf"],
            "month": [None, f"{report.month:%Y-%m}"],
        },
    )
