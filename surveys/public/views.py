"""Public survey pages (no login): the survey behind an emailed link, thanks, unsubscribe.

The tenant, brand, customer and invitation all come from the link's token
(``invitations.tokens``); an unknown token is a 404 page in the customer's words, the same
whichever tenant it might be.

Why opening a link records nothing
----------------------------------
Mail security scanners and link previewers open every link of a message before the person
does — some in a full browser that runs JavaScript. So a GET never writes:

* ``GET /s/<token>/?score=7`` shows the survey with 7 chosen. No response, no answer, no token
  used, nothing in the session: the same page can be opened any number of times.
* The person's page records the click: a small script POSTs the score (with Django's CSRF
  token) to :func:`score` once the page is visible *and* shows a sign of a person — the pointer
  moves, a finger touches, a key is pressed, the wheel turns. A scanner that renders the page
  and runs its scripts, but never moves, leaves no trace. Choosing another score on the page
  records that one instead.
* That score is held on the invitation, not yet a response: the token still opens the survey,
  and "Send my answers" records everything in one POST. A person who leaves without sending
  has answered with their score: it becomes their response an hour later
  (``submitting.invitations_settle``). Without JavaScript, the score counts when they send.

The unsubscribe link works the same way: GET shows a button, only POST opts out (see
:func:`unsubscribe` for why that one POST needs no CSRF token).

The page speaks the invitation's language (the customer's) unless the person picked another
with the language switcher (Django's ``set_language`` cookie, site-wide). Their address is a
secret: like every public page they carry the shell's private headers (no-store, same-origin
referrer, noindex: ``tenants.branding.private``), the JSON of :func:`score` too.
"""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from surveys.invitations import opt_out, tokens
from surveys.models import FollowUp, Invitation, Response, primary_question
from surveys.public.forms import SurveyForm, field_name
from surveys.responses import submitting
from tenants import ratelimit
from tenants.branding import private, render_public_page
from tenants.errors import ApplicationError, Conflict, NotFound, RateLimited
from tenants.idempotency import earlier_result, new_token, once
from tenants.middleware import error_json

RATE_WINDOW_SECONDS = 10 * 60
# Per IP: far more than one person needs, few enough to stop a flood of writes. Opening pages
# is not limited (a GET does nothing, and mail scanners open many links from one address), and
# neither is unsubscribing (mail providers send one-click unsubscribes from a few addresses).
SUBMISSIONS_PER_WINDOW = 20
HOLDS_PER_WINDOW = 60  # a person may try a few scores before sending

OPEN, ANSWERED, EXPIRED = "open", "answered", "expired"


def _state(invitation: Invitation) -> str:
    is_open = invitation.expires_at > timezone.now()
    if invitation.status == Invitation.Status.ANSWERED:
        # Only the clicked score was kept (the person left): they may still send the rest.
        if (
            is_open
            and Response.objects.for_tenant(invitation.tenant_id)
            .filter(submitting.COMPLETABLE, invitation=invitation)
            .exists()
        ):
            return OPEN
        return ANSWERED
    if invitation.status == Invitation.Status.SENT and is_open:
        return OPEN
    return EXPIRED  # expired, or (never with a token) scheduled or cancelled


def _language(request, invitation: Invitation) -> str:
    """The customer's language, unless this browser chose one with the language switcher."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return invitation.language


def _page(request, found, template: str, *, language: str, context=None, status=200):
    invitation = found.invitation
    context = {
        "invitation": invitation,
        "customer": invitation.customer,
        "token": request.resolver_match.kwargs["token"],
        **(context or {}),
    }
    with translation.override(language):
        return render_public_page(
            request,
            template,
            tenant=found.tenant,
            brand=invitation.interaction.brand,
            context=context,
            status=status,
        )


def _not_found(request):
    """The same page for every unknown token, in the browser's language; no tenant shown."""
    return render_public_page(request, "surveys/public/not_found.html", tenant=None, status=404)


def _chosen_score(request, form: SurveyForm, held: int | None) -> dict:
    """The score clicked in the email (``?score=n``), as the primary question's initial value.

    Only a value on the question's scale is taken; anything else leaves the question unset.
    """
    question = primary_question(form.questions)
    if question is None or not question.scale:
        return {}
    try:
        score = int(request.GET.get("score", ""))
    except ValueError:
        score = held  # back on the page later: the score they chose is kept
    low, high = question.scale
    return {field_name(question): score} if score is not None and low <= score <= high else {}


@require_http_methods(["GET", "POST"])
def survey(request, token):
    """The survey: GET shows it (a clicked score chosen), POST records the answers."""
    found = tokens.token_find(token)
    if found is None:
        return _not_found(request)
    invitation = found.invitation
    language = _language(request, invitation)
    state = _state(invitation)
    if state == ANSWERED:
        if request.method == "POST" and earlier_result(request, found.tenant, "survey") is not None:
            return redirect(_thanks(token))  # the same page sent twice: its first answer's thanks
        # Sending answers again is refused as a conflict; opening the link again is not.
        status = Conflict.status if request.method == "POST" else 200
        return _page(
            request, found, "surveys/public/answered.html", language=language, status=status
        )
    if state == EXPIRED:
        return _page(request, found, "surveys/public/expired.html", language=language, status=410)

    with translation.override(language):
        questions = list(invitation.version.questions.all())
        form_options = {
            "questions": questions,
            "language": language,
            "default_language": found.tenant.default_language,
        }

        def page(form, status=200, **extra):
            context = {"form": form, "submission_token": new_token, **extra}
            return _page(
                request,
                found,
                "surveys/public/survey.html",
                language=language,
                context=context,
                status=status,
            )

        if request.method == "GET":
            form = SurveyForm(**form_options)
            form.initial = _chosen_score(request, form, invitation.held_score)
            primary = primary_question(questions)
            clicked = next(iter(form.initial.values()), None)
            return page(
                form,
                clicked_score=clicked,
                # Said recorded only when it is: another score clicked later is held anew.
                is_held=clicked is not None and clicked == invitation.held_score,
                hold_field=field_name(primary) if primary and primary.scale else None,
            )

        key = f"survey-submit:{ratelimit.client_ip(request)}"
        if not ratelimit.hit(key, SUBMISSIONS_PER_WINDOW, RATE_WINDOW_SECONDS):
            # Nothing chosen is lost: the form comes back filled in, to send a little later.
            form = SurveyForm(initial=request.POST.dict(), **form_options)
            response = page(form, status=429, rate_limited=True)
            response["Retry-After"] = str(ratelimit.seconds_until_next_window(RATE_WINDOW_SECONDS))
            return response

        form = SurveyForm(request.POST, **form_options)
        if form.is_valid():

            def submit() -> dict:
                submitting.response_submit(invitation=invitation, answers=form.answers())
                return {}  # not the thanks address: it holds the survey token (no secret at rest)

            try:
                # Two POSTs of the same page at once: the second waits and goes to the thanks.
                once(request, found.tenant, "survey", submit)
            except Conflict as conflict:
                # Answered in another tab a moment ago, or expired while the page was open.
                invitation.refresh_from_db()
                template = (
                    "surveys/public/answered.html"
                    if invitation.status == Invitation.Status.ANSWERED
                    else "surveys/public/expired.html"
                )
                return _page(request, found, template, language=language, status=conflict.status)
            except ApplicationError as error:
                form.add_application_error(error)
            else:
                return redirect(_thanks(token))
        return page(form)


def _thanks(token: str) -> str:
    return reverse("public-survey-thanks", kwargs={"token": token})


@require_POST
def score(request, token):
    """Hold the score the person chose (their page calls this; see the module). JSON."""
    found = tokens.token_find(token)
    if found is None:
        # The script reads the code only: these messages are never shown.
        return private(error_json(NotFound("No invitation has this token.")))
    key = f"survey-score:{ratelimit.client_ip(request)}"
    if not ratelimit.hit(key, HOLDS_PER_WINDOW, RATE_WINDOW_SECONDS):
        return private(error_json(RateLimited("Too many scores held from this address.")))
    try:
        score = int(request.POST.get("score", ""))
    except ValueError:
        score = None  # not a number: off the scale, like 11
    try:
        submitting.score_hold(invitation=found.invitation, score=score)
    except ApplicationError as error:
        return private(error_json(error))
    return private(JsonResponse({"held": True}))


@require_GET
def thanks(request, token):
    """Thank-you after answering (the survey's own address says "already answered" later)."""
    found = tokens.token_find(token)
    if found is None:
        return _not_found(request)
    invitation = found.invitation
    if invitation.status != Invitation.Status.ANSWERED:
        return redirect(reverse("public-survey", kwargs={"token": token}))
    response = invitation.response
    context = {
        # A critic hears an apology, and that someone will call when a follow-up was opened
        # (always with a comment; without one as the tenant chose). Other comments are read.
        "is_detractor": response.is_critic,
        "has_follow_up": FollowUp.objects.for_tenant(invitation.tenant_id)
        .filter(response=response)
        .exists(),
        "has_comment": bool(response.comment.strip()),
    }
    return _page(
        request,
        found,
        "surveys/public/thanks.html",
        language=_language(request, invitation),
        context=context,
    )


# Mail providers send the RFC 8058 one-click unsubscribe as a POST from their own servers, with
# no cookie and no CSRF token. CSRF protection guards what a browser's cookies authorise; here
# nothing is authorised by a cookie: the unguessable token in the address is the authority, and
# a third-party site cannot know it. So this one view — which can only ever switch surveys off —
# takes a POST without a CSRF token; every other POST of the site still needs one.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    """GET asks to confirm; POST (the button, or a mail client's one-click) opts out.

    Works with any token of the customer's invitations, answered or expired ones too.
    """
    found = tokens.token_find(token)
    if found is None:
        return _not_found(request)
    invitation = found.invitation
    language = _language(request, invitation)
    context = {"hide_unsubscribe": True}
    if request.method == "POST":
        opt_out.customer_opt_out_of_surveys(
            customer=invitation.customer, note="Unsubscribe link of a survey email"
        )
        invitation.customer.survey_opt_out = True
    template = "unsubscribed" if invitation.customer.survey_opt_out else "unsubscribe"
    return _page(
        request, found, f"surveys/public/{template}.html", language=language, context=context
    )
