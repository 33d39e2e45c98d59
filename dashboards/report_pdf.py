"""A monthly report's PDF: weasyprint renders the report's HTML with its stylesheet, reading the
app's own static files and nothing else.

Only ``dashboards.reports.monthly_report_pdf`` imports this module, when it makes a PDF:
weasyprint takes most of a second to import and logs as it loads, which no web process or
command that never makes a PDF should pay.
"""

import mimetypes
from pathlib import PurePosixPath

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# The base of a report's relative addresses while weasyprint renders it: the ``.invalid``
# domain names no host, and :class:`StaticFilesOnly` maps it to the app's static files.
BASE_URL = "https://static.loopdesk.invalid/"


class StaticFilesOnly(URLFetcher):
    """weasyprint's fetcher for a report: the app's static files under :data:`BASE_URL`,
    found as ``collectstatic`` finds them; any other address is refused (weasyprint then leaves
    that resource out), so rendering never reaches the network."""

    def fetch(self, url, headers=None):
        if not url.startswith(BASE_URL):
            raise ValueError(f"a report reads the app's static files only, not {url}")
        name = url.removeprefix(BASE_URL).split("?")[0].split("#")[0]
        path = None if ".." in PurePosixPath(name).parts else finders.find(name)
        if not path:
            raise ValueError(f"no static file {name!r}")
        with open(path, "rb") as file:
            body = file.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


def pdf_of(document: str) -> bytes:
    """The PDF of an HTML ``document`` whose relative addresses name static files."""
    return HTML(string=document, base_url=BASE_URL, url_fetcher=StaticFilesOnly()).write_pdf()
