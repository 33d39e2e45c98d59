from django.urls import path

from complaints import views

urlpatterns = [
    path("", views.queue, name="complaint-queue"),
    path("new/", views.complaint_new, name="complaint-new"),
    path("actions/", views.corrective_actions, name="corrective-action-list"),
    path(
        "actions/<int:action_id>/", views.corrective_action_update, name="corrective-action-update"
    ),
    path("<str:reference>/", views.detail, name="complaint-detail"),
    path("<str:reference>/step/<str:name>/", views.step, name="complaint-step"),
    path("<str:reference>/transfer/", views.transfer, name="complaint-transfer"),
    path(
        "<str:reference>/transfer/handlers/",
        views.transfer_handlers,
        name="complaint-transfer-handlers",
    ),
    path("<str:reference>/messages/", views.add_message, name="complaint-message"),
    path("<str:reference>/link/", views.link, name="complaint-link"),
    path("<str:reference>/actions/", views.open_action, name="complaint-action-open"),
    path("<str:reference>/files/<int:attachment_id>/", views.attachment, name="complaint-file"),
]
