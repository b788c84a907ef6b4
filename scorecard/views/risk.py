"""Risk impact assessments of AI systems (docs/risk-method.md). PLACEHOLDER."""

from __future__ import annotations

from django.http import Http404, HttpResponse


def _todo(*args: object, **kwargs: object) -> HttpResponse:
    raise Http404("not built yet")


risk_assessment_start = risk_assessment = risk_assessment_submit = _todo
