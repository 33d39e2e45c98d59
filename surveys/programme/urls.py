from django.urls import path

from surveys.programme import views

# Under /<tenant>/settings/surveys/.
urlpatterns = [
    path("", views.programme, name="settings-surveys"),
]
