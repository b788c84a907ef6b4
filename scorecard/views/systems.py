"""The AI-system inventory: list, create, edit, delete, import and export (docs/workspace.md). PLACEHOLDER."""

from __future__ import annotations

from django.http import Http404, HttpResponse


def _todo(*args: object, **kwargs: object) -> HttpResponse:
    raise Http404("not built yet")


system_list = system_create = system_import = system_export_csv = system_export_xlsx = _todo
system_detail = system_edit = system_delete = _todo
