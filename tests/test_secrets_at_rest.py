"""No raw secret at rest: after a whole survey journey, the tokens of the links the customer got
by email are nowhere but in their mailbox — not in any column of any table, not in a log, not
in a broker message.

The journey uses the real parts: the Celery worker sends the invitation and the reminder to the
SMTP sink; the customer opens the reminder's link, holds a score, answers and sends the page
twice, then unsubscribes with the first email's one-click button, all through gunicorn as
deployed (``config.gunicorn``, access log on); Redis' MONITOR records what the broker carried.
"""

import hashlib
import json
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from config.redaction import redact
from customers.models import Customer
from surveys.invitations.sending import invitations_remind
from surveys.models import Invitation, Response
from surveys.tasks import send_survey_invitations_task
from tests.servers import BrokerMonitor, WebProcess, database_url_of
from tests.surveys.survey_fixtures import add_rule, make_customer, publish_survey, record

HOUR = timedelta(hours=1)
# Any link of a survey email: /s/<token>/ (with ?score=n) or /s/unsubscribe/<token>/.
SURVEY_LINK = re.compile(r"https?://[^/\s]+/s/(?:unsubscribe/)?([A-Za-z0-9_-]{43})/")
# A complaint's status link: /c/<tenant>/<reference>/?key=<key>.
STATUS_LINK = re.compile(r"https?://[^/\s]+(/c/\S+?)\?key=([A-Za-z0-9_-]{43})")


class Browser:
    """A customer's browser against a real server: cookies, and the Referer a browser sends on
    a same-origin request (Referrer-Policy: same-origin)."""

    def __init__(self, site: str):
        self.site = site
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.last_url = ""

    def _open(self, url: str, data: dict | None = None, headers: dict | None = None):
        # The emails link to SITE_URL; this server stands in for it.
        url = self.site + url.removeprefix(settings.SITE_URL)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, headers=headers or {})
        if self.last_url:
            request.add_header("Referer", self.last_url)
        try:
            with self.opener.open(request, timeout=15) as answer:
                self.last_url = answer.geturl()
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def get(self, url: str):
        return self._open(url)

    def post(self, url: str, data: dict, headers: dict | None = None):
        return self._open(url, data, headers)

    def csrf(self) -> str:
        return next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")


def links_of(message) -> tuple[dict[int, str], str]:
    """An email's score links (score → URL) and its List-Unsubscribe address."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    scores = {
        int(score): url for url, score in re.findall(r"(https?://\S+/s/\S+/\?score=(\d+))", body)
    }
    unsubscribe = re.search(r"<([^>]+)>", str(message["List-Unsubscribe"])).group(1)
    return scores, re.sub(r"\s+", "", unsubscribe)


def tables_holding(needle: str) -> list[str]:
    """``schema.table.column`` of every column, in every table of the test database, whose
    value (cast to text) contains ``needle``."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.table_schema, c.table_name, c.column_name
            FROM information_schema.columns c
            JOIN information_schema.tables t
              ON t.table_schema = c.table_schema AND t.table_name = c.table_name
            WHERE t.table_type = 'BASE TABLE'
              AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
            ORDER BY 1, 2, 3
            """
        )
        columns = cursor.fetchall()
        found = []
        for schema, table, column in columns:
            cursor.execute(
                f'SELECT EXISTS (SELECT 1 FROM "{schema}"."{table}" '
                f'WHERE strpos(CAST("{column}" AS text), %s) > 0)',
                [needle],
            )
            if cursor.fetchone()[0]:
                found.append(f"{schema}.{table}.{column}")
    return found


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_a_whole_survey_journey_leaves_no_link_token_at_rest(
    celery_worker, _smtp_sink, acme, acme_brand, caplog
):
    caplog.set_level(logging.INFO)
    version = publish_survey(acme)
    add_rule(acme, version.survey, delay_minutes=60)
    maria = make_customer(acme, "Maria Rossi", "maria@example.com", language="en")
    web = WebProcess(
        database_url=database_url_of(connection.settings_dict),
        environment={"CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE},
    )
    web.start()
    try:
        with BrokerMonitor(settings.REDIS_URL) as broker:
            # given a service event, surveyed through the worker and the SMTP server
            now = timezone.now()
            record(acme_brand, maria, occurred_at=now - 2 * HOUR, now=now, reference="claim-7")
            send_survey_invitations_task.delay()  # what beat does every minute
            [first] = _smtp_sink.wait_for(1, timeout=30)
            # and, Maria not having answered, the reminder three days later
            later = timezone.now() + timedelta(days=3, minutes=1)
            assert invitations_remind(now=later) == (1, 1)
            first, reminder = _smtp_sink.wait_for(2, timeout=30)

            # when Maria clicks 9 in the reminder, answers and sends the page twice
            scores, _unsubscribe = links_of(reminder)
            browser = Browser(web.url)
            status, page = browser.get(scores[9])
            assert status == 200 and "You chose 9. It is not sent yet" in page
            survey_url = scores[9].split("?")[0]
            held = browser.post(
                f"{survey_url}score/", {"score": "9"}, headers={"X-CSRFToken": browser.csrf()}
            )
            assert held == (200, json.dumps({"held": True}))
            questions = {q.kind: q for q in version.questions.all()}
            answers = {
                f"q{questions['nps'].pk}": "9",
                f"q{questions['choice'].pk}": "",
                f"q{questions['text'].pk}": "Quick and kind.",
                "csrfmiddlewaretoken": browser.csrf(),
            }
            status, _thanks = browser.post(survey_url, answers)
            assert status == 200 and browser.last_url.endswith("/thanks/")
            assert browser.post(survey_url, answers)[0] == 409  # answered already
            # and then unsubscribes with the first email's one-click button (no cookie)
            _first_scores, first_unsubscribe = links_of(first)
            one_click = Browser(web.url)
            status, _page = one_click.post(first_unsubscribe, {"List-Unsubscribe": "One-Click"})
            assert status == 200
    finally:
        web.stop()

    # then the links worked: the answer is recorded and Maria receives no more surveys
    response = Response.objects.for_tenant(acme).get()
    assert (response.primary_score, response.comment) == (9, "Quick and kind.")
    assert Customer.objects.for_tenant(acme).get(pk=maria.pk).survey_opt_out is True
    invitation = Invitation.objects.for_tenant(acme).get()
    assert invitation.status == Invitation.Status.ANSWERED

    # and the tokens Maria got by email are nowhere else
    tokens = set()
    for message in (first, reminder):
        for part in message.walk():
            if part.get_content_type() in {"text/plain", "text/html"}:
                tokens |= set(SURVEY_LINK.findall(part.get_content()))
        tokens |= set(SURVEY_LINK.findall(message["List-Unsubscribe"]))
    assert len(tokens) == 2  # one per email: the same in its score links and unsubscribe link
    logs = {"test process": caplog.text, "worker": celery_worker.log(), "web": web.log()}
    broker_texts = broker.texts()
    for token in tokens:
        assert tables_holding(token) == [], token
        assert [name for name, text in logs.items() if token in text] == [], token
        assert [text for text in broker_texts if token in text] == [], token
        # only the token's hash, which finds the invitation and cannot be turned back
        assert tables_holding(hashlib.sha256(token.encode()).hexdigest()) == [
            "public.surveys_invitationtoken.token_hash"
        ]

    # the scans saw what they scan: the requests in the access log, their paths redacted;
    # the task messages the broker carried; the email as a row of the outbox
    access = web.log()
    assert '"GET /s/[redacted]/?score=9 HTTP/1.1" 200' in access
    assert '"POST /s/[redacted]/ HTTP/1.1" 409' in access
    assert '"POST /s/unsubscribe/[redacted]/ HTTP/1.1" 200' in access
    assert "Conflict: /s/[redacted]/" in access  # django.request's warning
    assert any("notifications.tasks.send_delivery_task" in text for text in broker_texts)
    assert tables_holding("maria@example.com") != []


def texts_of(message) -> str:
    return "\n".join(
        part.get_content()
        for part in message.walk()
        if part.get_content_type() in {"text/plain", "text/html"}
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
def test_a_complaints_status_keys_are_at_rest_only_as_hashes(
    celery_worker, _smtp_sink, acme_setup, acme_brand, caplog
):
    caplog.set_level(logging.INFO)
    form_url = reverse(
        "public-complaint-form", kwargs={"tenant_slug": "acme", "brand_slug": acme_brand.slug}
    )
    lookup_url = reverse("public-complaint-lookup", kwargs={"tenant_slug": "acme"})
    web = WebProcess(
        database_url=database_url_of(connection.settings_dict),
        environment={"CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE},
    )
    web.start()
    try:
        with BrokerMonitor(settings.REDIS_URL) as broker:
            # given a complaint filed on the public form, its receipt sent by the worker
            filer = Browser(web.url)
            filer.get(form_url)
            form = {
                "name": "Maria Rossi",
                "email": "maria@example.com",
                "language": "en",
                "subject": "Windscreen claim not paid",
                "description": "I claimed for a broken windscreen on 3 March.",
                "website": "",
                "csrfmiddlewaretoken": filer.csrf(),
            }
            assert filer.post(form_url, form)[0] == 200
            [receipt] = _smtp_sink.wait_for(1, timeout=30)
            [(status_path, used_key)] = set(STATUS_LINK.findall(texts_of(receipt)))
            # when Maria opens its link in another browser (the key is spent)...
            status, page = Browser(web.url).get(f"{status_path}?key={used_key}")
            assert status == 200 and "Windscreen claim not paid" in page
            # ...and asks the lookup for a new link, which she does not open
            reference = status_path.rstrip("/").rsplit("/", 1)[1]
            asker = Browser(web.url)
            asker.get(lookup_url)
            lookup = {"reference": reference, "contact": "maria@example.com"}
            assert asker.post(lookup_url, {**lookup, "csrfmiddlewaretoken": asker.csrf()})[0] == 200
            _receipt, link_email = _smtp_sink.wait_for(2, timeout=30)
            [(_path, unused_key)] = set(STATUS_LINK.findall(texts_of(link_email)))
    finally:
        web.stop()

    # then neither key is in a table, a log or the broker's traffic...
    logs = {"test process": caplog.text, "worker": celery_worker.log(), "web": web.log()}
    broker_texts = broker.texts()
    for key in (used_key, unused_key):
        assert tables_holding(key) == [], key
        assert [name for name, text in logs.items() if key in text] == [], key
        assert [text for text in broker_texts if key in text] == [], key
    # ...the unused one only as its hash, the spent one not at all
    assert tables_holding(hashlib.sha256(unused_key.encode()).hexdigest()) == [
        "public.complaints_accesskey.key_hash"
    ]
    assert tables_holding(hashlib.sha256(used_key.encode()).hexdigest()) == []
    assert "?key=[redacted]" in web.log()  # the scan of the access log saw the request


@pytest.fixture
def runserver_log(caplog):
    """runserver's access log (``django.server`` does not propagate to the root logger)."""
    server = logging.getLogger("django.server")
    server.addHandler(caplog.handler)
    yield server
    server.removeHandler(caplog.handler)


def test_request_logs_write_survey_tokens_and_keys_redacted(caplog, runserver_log):
    token = "Fh3kT0mX4c2-vR9yQw7_Lz1pA8sD6gJ5nB0eU3iO2aY"
    caplog.set_level(logging.INFO)

    # what runserver logs for a request, and Django's warning for a 4xx answer
    runserver_log.info('"%s" %s %s', f"GET /s/{token}/?score=9 HTTP/1.1", 200, 5)
    logging.getLogger("django.request").warning("%s: %s", "Not Found", f"/s/unsubscribe/{token}/")
    logging.getLogger("django.request").warning(
        "%s: %s", "Gone", "/c/acme/status/AMO-2026-000001/?key=s3cr3t&lang=el"
    )

    assert token not in caplog.text and "s3cr3t" not in caplog.text
    assert [record.getMessage() for record in caplog.records] == [
        '"GET /s/[redacted]/?score=9 HTTP/1.1" 200 5',
        "Not Found: /s/unsubscribe/[redacted]/",
        "Gone: /c/acme/status/AMO-2026-000001/?key=[redacted]&lang=el",
    ]
    # the staff pages' addresses are left as they are
    assert redact("GET /acme/surveys/12/ HTTP/1.1") == "GET /acme/surveys/12/ HTTP/1.1"
    assert redact("/login/?next=%2Fs%2Fabc%2F") == "/login/?next=%2Fs%2F[redacted]%2F"
