"""The dashboards' addresses, under /<tenant>/dashboards/."""

from django.urls import path

from dashboards import (
    complaints_views,
    csat_views,
    funnel_views,
    performers_views,
    report_views,
    summary_views,
    table_exports,
    views,
)

urlpatterns = [
    path("nps/", views.nps_dashboard, name="dashboard-nps"),
    path("complaints/", complaints_views.complaints_dashboard_view, name="dashboard-complaints"),
    path("csat/", csat_views.csat_dashboard, name="dashboard-csat"),
    path("summary/", summary_views.summary_dashboard_view, name="dashboard-summary"),
    path("funnel/", funnel_views.funnel_dashboard_view, name="dashboard-funnel"),
    path("performers/", performers_views.performers_dashboard_view, name="dashboard-performers"),
    path("reports/", report_views.report_list, name="dashboard-reports"),
    path("reports/<int:report_id>/", report_views.report_detail, name="dashboard-report"),
    path("reports/<int:report_id>/pdf/", report_views.report_pdf, name="dashboard-report-pdf"),
    *table_exports.urlpatterns,  # each chart table as CSV or Excel
]
