"""plotly.js as a static file of our own origin, from the installed ``plotly`` package (no CDN: the
Content-Security-Policy allows scripts from ``'self'`` only, and the pinned package is the one
version we test).

The package's ``package_data`` directory also holds data sets and templates that are none of
the site's business, so it is not a ``STATICFILES_DIRS`` entry: this finder exposes that one
file, as ``vendor/plotly.min.js``, to ``{% static %}``, ``collectstatic`` and WhiteNoise alike.
Pages draw their charts with ``static/js/charts.js``.
"""

import os
from importlib.util import find_spec

from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

PLOTLY_JS = "vendor/plotly.min.js"


def _package_data() -> str | None:
    """The installed plotly package's ``package_data`` directory (found without importing
    plotly), or None when it is not installed."""
    spec = find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        return None
    return os.path.join(spec.submodule_search_locations[0], "package_data")


class PlotlyFinder(BaseFinder):
    """Finds ``vendor/plotly.min.js`` and nothing else."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.location = _package_data()
        self.prefix, self.name = os.path.split(PLOTLY_JS)
        self.storage = FileSystemStorage(location=self.location or "")
        # collectstatic and WhiteNoise put a storage's files under its ``prefix``.
        self.storage.prefix = self.prefix

    def _source(self) -> str | None:
        if self.location is None:
            return None
        path = os.path.join(self.location, self.name)
        return path if os.path.isfile(path) else None

    def check(self, **kwargs):
        if self._source() is None:
            return [
                Error(
                    "plotly.min.js is not installed (the plotly package provides it).",
                    hint="Install the project's dependencies (pyproject.toml).",
                    id="dashboards.E001",
                )
            ]
        return []

    # Django 5.2 still passes the deprecated ``all`` keyword as **kwargs.
    def find(self, path, find_all=False, **kwargs):
        if kwargs:
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        source = self._source() if path == PLOTLY_JS else None
        if source is None:
            return []
        return [source] if find_all else source

    def list(self, ignore_patterns):
        if self._source() is not None:
            yield self.name, self.storage
