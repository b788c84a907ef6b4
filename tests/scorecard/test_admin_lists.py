"""Admin lists do not read big columns they never show: the assessments list leaves out the results snapshot,
and no list reads a binary column (a logo, a file). Checked on the SQL each database is sent."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.db import connection, models
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scorecard.models import Assessment
from scorecard.services.assessments import assessment_submit
from tests.factories import UserFactory
from tests.scorecard.test_questionnaire import answer_everything

pytestmark = pytest.mark.django_db

RESULTS_COLUMN = '"scorecard_assessment"."results"'


@pytest.fixture
def superuser(content: Any) -> Any:
    return UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def staff(superuser: Any) -> Client:
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def submitted(assessment: Assessment, owner: Any) -> Assessment:
    answer_everything(assessment, owner)
    assessment_submit(assessment=assessment, by=owner)
    assessment.refresh_from_db()
    assert assessment.results
    return assessment


def test_the_assessment_list_does_not_read_the_results_snapshot(staff: Client, submitted: Assessment) -> None:
    with CaptureQueriesContext(connection) as captured:
        page = staff.get(reverse("admin:scorecard_assessment_changelist"))
    assert page.status_code == 200 and submitted.name in page.content.decode()
    listing = [q["sql"] for q in captured.captured_queries if 'FROM "scorecard_assessment"' in q["sql"]]
    assert any('"scorecard_assessment"."name"' in sql for sql in listing), listing  # the list's own query
    assert not [sql for sql in listing if RESULTS_COLUMN in sql]


def test_the_assessment_page_still_opens(staff: Client, submitted: Assessment) -> None:
    with CaptureQueriesContext(connection) as captured:
        page = staff.get(reverse("admin:scorecard_assessment_change", args=[submitted.pk]))
    assert page.status_code == 200 and submitted.name in page.content.decode()
    assert not [q["sql"] for q in captured.captured_queries if RESULTS_COLUMN in q["sql"]]


def test_no_admin_list_reads_a_big_column(superuser: Any) -> None:
    """Every list the admin has, compiled for this database: no binary column, no results snapshot. A model
    registered later with a logo or a file in its table must defer it (ModelAdmin.get_queryset)."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    checked = 0
    for model, model_admin in admin.site._registry.items():
        big = {
            f'"{model._meta.db_table}"."{field.column}"'
            for field in model._meta.concrete_fields
            if isinstance(field, models.BinaryField) or (model is Assessment and field.name == "results")
        }
        changelist = model_admin.get_changelist_instance(request)
        sql, _params = changelist.get_queryset(request).query.get_compiler(connection=connection).as_sql()
        assert not [column for column in big if column in sql], (model, sql)
        checked += 1
    assert checked >= 10
