"""The surveys app's addresses: the managers' pages and the customers' public pages."""

from django.urls import path

from surveys.builder import views
from surveys.followups import views as followup_views
from surveys.interactions import views as interaction_views
from surveys.public import views as public
from surveys.responses import views as response_views

# The managers' pages, under /<tenant>/surveys/.
urlpatterns = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_new, name="survey-new"),
    path("rules/", views.rule_list, name="survey-rule-list"),
    path("rules/new/", views.rule_new, name="survey-rule-new"),
    path("rules/<int:rule_id>/", views.rule_edit, name="survey-rule-edit"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="survey-rule-delete"),
    path("<int:survey_id>/", views.survey_detail, name="survey-detail"),
    path("<int:survey_id>/settings/", views.survey_update, name="survey-update"),
    path("<int:survey_id>/draft/", views.draft_start, name="survey-draft"),
    path("<int:survey_id>/publish/", views.publish, name="survey-publish"),
    path("<int:survey_id>/questions/new/", views.question_new, name="survey-question-new"),
    path(
        "<int:survey_id>/questions/<int:question_id>/",
        views.question_edit,
        name="survey-question-edit",
    ),
    path(
        "<int:survey_id>/questions/<int:question_id>/move/",
        views.question_move,
        name="survey-question-move",
    ),
    path(
        "<int:survey_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="survey-question-delete",
    ),
    path("<int:survey_id>/versions/<int:number>/preview/", views.preview, name="survey-preview"),
]

urlpatterns += [
    path("follow-ups/", followup_views.follow_up_list, name="follow-up-list"),
    path(
        "follow-ups/<int:follow_up_id>/",
        followup_views.follow_up_detail,
        name="follow-up-detail",
    ),
    path(
        "follow-ups/<int:follow_up_id>/complete/",
        followup_views.follow_up_complete,
        name="follow-up-complete",
    ),
    path(
        "follow-ups/<int:follow_up_id>/assign/",
        followup_views.follow_up_assign,
        name="follow-up-assign",
    ),
    path(
        "follow-ups/<int:follow_up_id>/claim/",
        followup_views.follow_up_claim,
        name="follow-up-claim",
    ),
]

urlpatterns += [
    path("interactions/", interaction_views.interaction_list, name="interaction-list"),
    path("interactions/check/", interaction_views.import_check, name="interaction-import-check"),
    path("interactions/import/", interaction_views.import_start, name="interaction-import-start"),
    path(
        "interactions/import/<str:token>/",
        interaction_views.import_progress,
        name="interaction-import-progress",
    ),
    path(
        "interactions/import/<str:token>/continue/",
        interaction_views.import_continue,
        name="interaction-import-continue",
    ),
    path(
        "interactions/imports/<int:entry_id>/",
        interaction_views.import_summary,
        name="interaction-import",
    ),
    path(
        "interactions/template.csv",
        interaction_views.import_template,
        name="interaction-import-template",
    ),
]

urlpatterns += [
    path("responses/", response_views.response_list, name="response-list"),
    path("responses/<int:response_id>/", response_views.response_detail, name="response-detail"),
]

# The customers' pages, under /s/: the token in the address finds the tenant.
public_urlpatterns = [
    path("unsubscribe/<str:token>/", public.unsubscribe, name="public-survey-unsubscribe"),
    path("<str:token>/", public.survey, name="public-survey"),
    path("<str:token>/score/", public.score, name="public-survey-score"),
    path("<str:token>/thanks/", public.thanks, name="public-survey-thanks"),
]
