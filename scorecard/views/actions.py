"""Actions: gaps that people own and close (docs/workspace.md). PLACEHOLDER."""

from __future__ import annotations

from django.http import Http404, HttpResponse


def _todo(*args: object, **kwargs: object) -> HttpResponse:
    raise Http404("not built yet")


action_list = action_export_csv = action_export_xlsx = action_create = action_detail = _todo
