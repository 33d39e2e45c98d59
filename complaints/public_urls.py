from django.urls import path

from complaints import public

urlpatterns = [
    path("status/", public.lookup, name="public-complaint-lookup"),
    path("status/<str:reference>/", public.status, name="public-complaint-status"),
    path(
        "status/<str:reference>/files/<int:attachment_id>/",
        public.attachment,
        name="public-complaint-file",
    ),
    path("<slug:brand_slug>/", public.complaint_form, name="public-complaint-form"),
    path(
        "<slug:brand_slug>/how-to-complain/", public.how_to_complain, name="public-complaint-howto"
    ),
]
