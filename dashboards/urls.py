"""The dashboards' addresses, under /<tenant>/dashboards/."""

from django.urls import path

from dashboards import views

urlpatterns = [
    path("nps/", views.nps_dashboard, name="dashboard-nps"),
]
