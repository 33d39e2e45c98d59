"""The monthly reports' pages: the archive, one report as it was sent, and its PDF. Thin: read
(``dashboards.reports``), render. Another tenant's report is the 404 of a missing one."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from dashboards import reports
from tenants.decorators import member_required
from tenants.permissions import Action


@member_required(Action.VIEW_DASHBOARDS)
def report_list(request):
    return render(
        request,
        "dashboards/reports.html",
        {"reports": list(reports.monthly_reports(request.tenant))},
    )


@member_required(Action.VIEW_DASHBOARDS)
def report_detail(request, report_id: int):
    report = reports.monthly_report_or_404(request.member, report_id)
    return render(request, "dashboards/report.html", {"report": report})


@member_required(Action.VIEW_DASHBOARDS)
def report_pdf(request, report_id: int):
    report = reports.monthly_report_or_404(request.member, report_id, pdf=True)
    reports.monthly_report_downloaded(member=request.member, report=report)
    response = HttpResponse(bytes(report.pdf), content_type=reports.PDF_CONTENT_TYPE)
    filename = reports.pdf_filename(report, request.tenant)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
