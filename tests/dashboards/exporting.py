"""Helpers for the export tests: ask for a download, read it back as a spreadsheet would, and
make survey answers through the real services at a chosen moment."""

import codecs
import csv
import io
import itertools
from datetime import timedelta

from django.urls import reverse
from openpyxl import load_workbook

from surveys.models import Invitation, Question
from surveys.responses.submitting import response_submit
from surveys.scoring import QuestionKind
from surveys.sender import invitations_run
from tenants import rls
from tests.surveys.survey_fixtures import make_customer, record

HOUR = timedelta(hours=1)


def export_url(name: str, fmt: str = "csv", tenant_slug: str = "acme") -> str:
    return reverse(f"{name}-{fmt}", kwargs={"tenant_slug": tenant_slug})


def body_of(response) -> bytes:
    """The whole download, read as the server sends it: after the view has returned, when the
    request acts for no tenant any more (``tenants.rls``)."""
    with rls.no_tenant():
        return b"".join(response.streaming_content)


def csv_rows(response) -> list[list[str]]:
    body = body_of(response)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body[len(codecs.BOM_UTF8) :].decode(), newline="")))


def xlsx_rows(response) -> list[list]:
    workbook = load_workbook(io.BytesIO(body_of(response)))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def as_dicts(rows: list[list]) -> list[dict]:
    """A download's rows keyed by its header."""
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


class Answers:
    """``answers(name, nps, at=…, comment=…, brand=…, **interaction fields)``: a customer of
    ``brand`` served an hour before ``at`` and answering the survey ``version`` at ``at``."""

    def __init__(self, tenant, brand, version):
        self.tenant, self.brand = tenant, brand
        self.questions = {
            q.kind: q for q in Question.objects.for_tenant(tenant).filter(version=version)
        }
        self.serial = itertools.count(1)

    def __call__(self, name, nps, *, at, comment="", brand=None, **fields):
        n = next(self.serial)
        customer = make_customer(self.tenant, name, f"customer{n}@example.com")
        interaction = record(
            brand or self.brand,
            customer,
            occurred_at=at - HOUR,
            now=at,
            reference=f"visit-{n}",
            **fields,
        )
        invitations_run(now=at)
        invitation = Invitation.objects.for_tenant(self.tenant).get(interaction=interaction)
        answers = {self.questions[QuestionKind.NPS].pk: nps}
        if comment:
            answers[self.questions[QuestionKind.TEXT].pk] = comment
        return response_submit(invitation=invitation, answers=answers, now=at)
