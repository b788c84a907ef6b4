"""Results, cross-border readiness and the action plan as CSV."""

from __future__ import annotations

import csv
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from .. import wording
from ..permissions import AuthedRequest
from ..reports.context import report_context
from ..selectors import assessment_get_for


@login_required
def assessment_results(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    return render(request, "scorecard/results.html", report_context(assessment))


@login_required
def assessment_readiness(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    return render(request, "scorecard/readiness.html", report_context(assessment))


@login_required
def action_plan_csv(request: AuthedRequest, pk: UUID) -> HttpResponse:
    assessment = assessment_get_for(user=request.user, pk=pk)
    context = report_context(assessment)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{slugify(assessment.name) or "assessment"}-action-plan.csv"'
    )
    response.write("\ufeff")  # so spreadsheet programs read the UTF-8 text correctly
    writer = csv.writer(response)
    writer.writerow(
        [
            "rank",
            "priority",
            "principle",
            "question",
            "question_text",
            "points",
            "max_points",
            "impact",
            "next_step",
            "recommendation",
        ]
    )
    names = context["principle_names"]
    for action in context["actions"]:
        writer.writerow(
            [
                action["rank"],
                wording.priority_label(action["priority"]),
                names.get(action["principle"], action["principle"]),
                action["code"],
                action["question"].text,
                action["points"],
                action["max_points"],
                action["impact"],
                wording.say(action["next_step"]),
                action["recommendation"],
            ]
        )
    return response
