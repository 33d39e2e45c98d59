from django.urls import path

from notifications import views

urlpatterns = [
    path("", views.notification_list, name="notification-list"),
    path("read/", views.notification_read, name="notification-read"),
    path("count/", views.notification_count, name="notification-count"),
    path("<int:notification_id>/", views.notification_open, name="notification-open"),
]
