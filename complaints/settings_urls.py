"""The complaint settings pages, under ``/<tenant>/settings/complaints/``."""

from django.urls import path

from complaints import settings_rule_views, settings_views

urlpatterns = [
    path("categories/", settings_views.categories, name="settings-complaint-categories"),
    path(
        "categories/<int:category_id>/",
        settings_views.category_edit,
        name="settings-complaint-category",
    ),
    path(
        "categories/<int:category_id>/active/",
        settings_views.category_active,
        name="settings-complaint-category-active",
    ),
    path("root-causes/", settings_views.root_causes, name="settings-root-causes"),
    path("root-causes/<int:cause_id>/", settings_views.root_cause_edit, name="settings-root-cause"),
    path(
        "root-causes/<int:cause_id>/active/",
        settings_views.root_cause_active,
        name="settings-root-cause-active",
    ),
    path("handling/", settings_views.handling, name="settings-complaint-handling"),
    path("handling/priorities/", settings_views.priority_matrix, name="settings-priority-matrix"),
    path("sla/", settings_rule_views.sla_policy_list, name="settings-sla-policies"),
    path("sla/new/", settings_rule_views.sla_policy_new, name="settings-sla-policy-new"),
    path("sla/<int:policy_id>/", settings_rule_views.sla_policy_edit, name="settings-sla-policy"),
    path("routing/", settings_rule_views.routing_rule_list, name="settings-routing-rules"),
    path("routing/new/", settings_rule_views.routing_rule_new, name="settings-routing-rule-new"),
    path(
        "routing/<int:routing_rule_id>/",
        settings_rule_views.routing_rule_edit,
        name="settings-routing-rule",
    ),
    path(
        "routing/<int:routing_rule_id>/move/",
        settings_rule_views.routing_rule_move,
        name="settings-routing-rule-move",
    ),
]
