"""The evidence library (docs/workspace.md). PLACEHOLDER."""

from __future__ import annotations

from django.http import Http404, HttpResponse


def _todo(*args: object, **kwargs: object) -> HttpResponse:
    raise Http404("not built yet")


evidence_library = evidence_download = evidence_delete = answer_evidence = _todo
