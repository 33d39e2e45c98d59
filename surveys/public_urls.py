"""Public survey pages, under /s/: the token in the address finds the tenant."""

from django.urls import path

from surveys import public

urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="public-survey-unsubscribe"),
    path("<str:token>/", public.survey, name="public-survey"),
    path("<str:token>/score/", public.score, name="public-survey-score"),
    path("<str:token>/thanks/", public.thanks, name="public-survey-thanks"),
]
