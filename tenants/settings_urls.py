from django.urls import path

from tenants import member_views, settings_views, structure_views

urlpatterns = [
    path("", settings_views.settings_index, name="settings"),
    path("organisation/", settings_views.organisation, name="settings-organisation"),
    path("organisation/closures/", settings_views.closure_add, name="settings-closure-add"),
    path(
        "organisation/closures/<str:day>/remove/",
        settings_views.closure_remove,
        name="settings-closure-remove",
    ),
    path("brands/", structure_views.brands, name="settings-brands"),
    path("brands/new/", structure_views.brand_add, name="settings-brand-add"),
    path("brands/<int:brand_id>/", structure_views.brand_edit, name="settings-brand-edit"),
    path("touchpoints/", structure_views.touchpoints, name="settings-touchpoints"),
    path("touchpoints/new/", structure_views.touchpoint_add, name="settings-touchpoint-add"),
    path(
        "touchpoints/<int:touchpoint_id>/",
        structure_views.touchpoint_edit,
        name="settings-touchpoint-edit",
    ),
    path("departments/", structure_views.departments, name="settings-departments"),
    path("departments/new/", structure_views.department_new, name="settings-department-add"),
    path(
        "departments/<int:department_id>/",
        structure_views.department_edit,
        name="settings-department-edit",
    ),
    path(
        "departments/<int:department_id>/move/",
        structure_views.department_relocate,
        name="settings-department-move",
    ),
    path(
        "departments/<int:department_id>/close/",
        structure_views.department_shut,
        name="settings-department-close",
    ),
    path(
        "departments/<int:department_id>/reopen/",
        structure_views.department_open_again,
        name="settings-department-reopen",
    ),
]

# Members (tenants.member_views)
urlpatterns += [
    path("members/", member_views.members_list, name="settings-members"),
    path("members/invite/", member_views.member_invite, name="settings-member-invite"),
    path("members/<int:membership_id>/", member_views.member_detail, name="settings-member"),
    path(
        "members/<int:membership_id>/deactivate/",
        member_views.member_deactivate,
        name="settings-member-deactivate",
    ),
    path(
        "members/<int:membership_id>/reactivate/",
        member_views.member_reactivate,
        name="settings-member-reactivate",
    ),
    path(
        "members/invitations/<int:invitation_id>/resend/",
        member_views.invitation_resend,
        name="settings-invitation-resend",
    ),
    path(
        "members/invitations/<int:invitation_id>/withdraw/",
        member_views.invitation_withdraw,
        name="settings-invitation-withdraw",
    ),
]
