from django.urls import path

from ratings import views

urlpatterns = [
    path("me/", views.my_rating, name="my-rating"),
    path("responses/<int:response_id>/dispute/", views.dispute_new, name="dispute-new"),
    path("disputes/", views.dispute_list, name="dispute-list"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="dispute-detail"),
    path("disputes/<int:dispute_id>/comment/", views.dispute_comment, name="dispute-comment"),
    path("disputes/<int:dispute_id>/decide/", views.dispute_decide, name="dispute-decide"),
]
