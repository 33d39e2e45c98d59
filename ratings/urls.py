from django.urls import path

from ratings import views

urlpatterns = [
    path("me/", views.my_rating, name="my-rating"),
    path("norms/", views.norms, name="rating-norms"),
    path("leaderboard/", views.leaderboard, name="rating-leaderboard"),
    path("periods/<int:period_id>/recompute/", views.period_recompute, name="rating-recompute"),
    path("periods/<int:period_id>/reopen/", views.period_reopen, name="rating-reopen"),
    path("periods/<int:period_id>/close/", views.period_close, name="rating-close"),
    path("responses/<int:response_id>/dispute/", views.dispute_new, name="dispute-new"),
    path("disputes/", views.dispute_list, name="dispute-list"),
    path("disputes/<int:dispute_id>/", views.dispute_detail, name="dispute-detail"),
    path("disputes/<int:dispute_id>/comment/", views.dispute_comment, name="dispute-comment"),
    path("disputes/<int:dispute_id>/decide/", views.dispute_decide, name="dispute-decide"),
]
