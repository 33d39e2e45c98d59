"""The complaint settings pages of SLA policies and routing rules, with the routing tester.

As in ``complaints.settings_views``: admins write, managers read (and may try the tester,
which writes nothing), other roles 403; a row of another tenant in the address is the 404 of
a missing one.
"""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from complaints import policies, routing_rules
from complaints import setup_selectors as selectors
from complaints.selectors import complaint_settings
from complaints.settings_forms import MoveForm, RouteTrialForm, RoutingRuleForm, SlaPolicyForm
from complaints.settings_views import GET_OR_POST
from tenants.errors import ApplicationError
from tenants.settings_pages import render_settings, saved, settings_page, write

# --- SLA policies ---------------------------------------------------------------------------


@require_safe
@settings_page
def sla_policy_list(request):
    return render_settings(
        request,
        "settings/complaints/sla_policies.html",
        {
            "policies": selectors.sla_policies(request.tenant.pk),
            "defaults": complaint_settings(request.tenant.pk),
        },
    )


def _policy_page(request, form, policy=None):
    return render_settings(
        request,
        "settings/complaints/sla_policy_form.html",
        {"form": form, "policy": policy},
        status=400 if form.errors else 200,
    )


@GET_OR_POST
@settings_page
def sla_policy_new(request):
    form = SlaPolicyForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and write(
        form, lambda data: policies.sla_policy_save(actor=request.member, **data)
    ):
        return saved(request, "settings-sla-policies", _("The SLA policy is saved."))
    return _policy_page(request, form)


@GET_OR_POST
@settings_page
def sla_policy_edit(request, policy_id: int):
    policy = selectors.sla_policy_or_404(request.member, policy_id)
    form = SlaPolicyForm(
        request.POST or None, initial=SlaPolicyForm.initial_for(policy), tenant=request.tenant
    )
    if request.method == "POST" and write(
        form, lambda data: policies.sla_policy_save(actor=request.member, policy=policy, **data)
    ):
        return saved(request, "settings-sla-policies", _("The SLA policy is saved."))
    return _policy_page(request, form, policy)


# --- routing rules and the tester -----------------------------------------------------------


@require_safe
@settings_page
def routing_rule_list(request):
    """The rules in the order they are tried; the tester answers in the query string."""
    trial_form = RouteTrialForm(
        request.GET if "brand" in request.GET else None, tenant=request.tenant
    )
    trial = None
    if trial_form.is_bound and trial_form.is_valid():
        trial = selectors.route_trial(request.member, **trial_form.cleaned_data)
    return render_settings(
        request,
        "settings/complaints/routing_rules.html",
        {
            "rules": selectors.routing_rules(request.tenant.pk),
            "trial_form": trial_form,
            "trial": trial,
        },
        status=400 if trial_form.errors else 200,
    )


def _rule_page(request, form, rule=None):
    return render_settings(
        request,
        "settings/complaints/routing_rule_form.html",
        {"form": form, "rule": rule},
        status=400 if form.errors else 200,
    )


@GET_OR_POST
@settings_page
def routing_rule_new(request):
    form = RoutingRuleForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and write(
        form, lambda data: routing_rules.routing_rule_save(actor=request.member, **data)
    ):
        return saved(request, "settings-routing-rules", _("The routing rule is saved."))
    return _rule_page(request, form)


@GET_OR_POST
@settings_page
def routing_rule_edit(request, routing_rule_id: int):
    rule = selectors.routing_rule_or_404(request.member, routing_rule_id)
    form = RoutingRuleForm(
        request.POST or None,
        initial=RoutingRuleForm.initial_for(rule),
        tenant=request.tenant,
        rule=rule,
    )
    if request.method == "POST" and write(
        form,
        lambda data: routing_rules.routing_rule_save(actor=request.member, rule=rule, **data),
    ):
        return saved(request, "settings-routing-rules", _("The routing rule is saved."))
    return _rule_page(request, form, rule)


@require_POST
@settings_page
def routing_rule_move(request, routing_rule_id: int):
    rule = selectors.routing_rule_or_404(request.member, routing_rule_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise ApplicationError(_("Say whether to move it up or down."))
    routing_rules.routing_rule_move(actor=request.member, rule=rule, offset=form.offset)
    return redirect("settings-routing-rules", tenant_slug=request.tenant.slug)
