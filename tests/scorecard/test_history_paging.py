"""The change history pages instead of leaving older changes out: 100 changes a page, newest first, `?page=N`,
any other page value giving the first or the last page (never an error), in the same few queries per page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from scorecard.history import PER_PAGE
from scorecard.models import AnswerChange, Assessment
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

START = timezone.make_aware(dt.datetime(2026, 11, 2, 9, 0))


def make_changes(assessment: Assessment, by: Any, count: int) -> None:
    """`count` changes an hour apart, alternating between two questions so that none group into one row.
    Change i moves the answer from "c<i>" to "c<i + 1>" (shown as such: they are no option's code)."""
    AnswerChange.objects.bulk_create(
        AnswerChange(
            assessment=assessment,
            question_code=("TE-01", "TE-02")[i % 2],
            changed_by=by,
            before={"choice": f"c{i}"} if i else None,
            after={"choice": f"c{i + 1}"},
        )
        for i in range(count)
    )
    # changed_at is set on insert; spread the changes out in time, oldest first.
    for i, pk in enumerate(
        AnswerChange.objects.filter(assessment=assessment).order_by("pk").values_list("pk", flat=True)
    ):
        AnswerChange.objects.filter(pk=pk).update(changed_at=START + dt.timedelta(hours=i))


def history(client: Any, assessment: Assessment, page: str | None = None) -> Any:
    url = reverse("assessment_history", args=[assessment.pk])
    response = client.get(url, {"page": page} if page is not None else {})
    assert response.status_code == 200
    return response


def afters(response: Any) -> list[str]:
    return [row.after for row in response.context["rows"]]


def test_250_changes_page_by_100_newest_first(assessment: Assessment, owner: Any) -> None:
    make_changes(assessment, owner, 250)
    client = client_for(owner)

    first = history(client, assessment)
    assert PER_PAGE == 100
    assert afters(first) == [f"c{i + 1}" for i in range(249, 149, -1)]  # the newest 100
    assert history(client, assessment, "2").context["rows"][0].after == "c150"
    third = history(client, assessment, "3")
    assert afters(third) == [f"c{i + 1}" for i in range(49, -1, -1)]  # the oldest 50
    assert third.context["rows"][-1].before == ""  # the very first change: there was no answer before it

    body = first.content.decode()
    assert "Changes 1 to 100 of 250, newest first." in body
    assert "older change" not in body  # nothing is summarised away any more
    assert "Changes 201 to 250 of 250" in third.content.decode()


def test_the_pager_is_a_labelled_navigation_marking_the_current_page(assessment: Assessment, owner: Any) -> None:
    make_changes(assessment, owner, 250)
    body = history(client_for(owner), assessment, "2").content.decode()
    pager = body.split('<nav aria-label="Change history pages">', 1)[1].split("</nav>", 1)[0]
    assert '<a class="page-link" href="?page=2" aria-current="page">2</a>' in pager
    assert pager.count("aria-current") == 1
    assert 'href="?page=1" rel="prev"' in pager and 'href="?page=3" rel="next"' in pager
    assert 'href="?page=1"' in pager and 'href="?page=3"' in pager


@pytest.mark.parametrize(
    ("page", "shown"),
    [("abc", 1), ("", 1), ("999", 3), ("0", 3), ("-1", 3), ("2.5", 1), ("3", 3)],
)
def test_any_page_value_gives_a_page_never_an_error(assessment: Assessment, owner: Any, page: str, shown: int) -> None:
    """As Paginator.get_page does: not a number gives the first page, out of range the last."""
    make_changes(assessment, owner, 250)
    assert history(client_for(owner), assessment, page).context["page"].number == shown


def test_a_short_history_has_no_pager(assessment: Assessment, owner: Any) -> None:
    make_changes(assessment, owner, 3)
    response = history(client_for(owner), assessment, "7")
    assert afters(response) == ["c3", "c2", "c1"]
    assert "Change history pages" not in response.content.decode()
    empty = history(
        client_for(owner),
        assessment.organisation.assessments.create(
            framework_version=assessment.framework_version,
            name="Empty",
            sector="finance",
            size="large",
            ai_role="both",
            created_by=owner,
        ),
    )
    assert "No changes yet." in empty.content.decode()


def test_every_page_costs_the_same_queries(assessment: Assessment, owner: Any) -> None:
    client = client_for(owner)
    make_changes(assessment, owner, 30)
    history(client, assessment)  # warms the per-version framework cache
    with CaptureQueriesContext(connection) as short:
        history(client, assessment)
    AnswerChange.objects.filter(assessment=assessment).delete()
    make_changes(assessment, owner, 250)
    counts = []
    for page in ("1", "2", "3"):
        with CaptureQueriesContext(connection) as captured:
            history(client, assessment, page)
        counts.append(len(captured))
    assert counts == [len(short)] * 3
