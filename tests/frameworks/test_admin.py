"""The content admin: every page opens, published content is read-only, the workflow actions work."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from frameworks.models import Country, FrameworkVersion, Question
from frameworks.versioning import version_clone
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(content: Any) -> Client:
    user = UserFactory(email="staff@example.org", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


def test_every_admin_list_and_change_page_opens(staff: Client, content: FrameworkVersion) -> None:
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert staff.get(changelist).status_code == 200, changelist
        obj = model.objects.first()
        if obj is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
            assert staff.get(change).status_code == 200, change


def test_published_content_is_read_only(staff: Client, content: FrameworkVersion) -> None:
    question = Question.objects.get(version=content, code="TE-01")
    url = reverse("admin:frameworks_question_change", args=[question.pk])
    page = staff.get(url).content.decode()
    assert 'name="_save"' not in page
    staff.post(url, {"text": "Hijacked?"})
    question.refresh_from_db()
    assert question.text.startswith("Do you tell people")


def test_draft_publish_compare_and_export_actions(staff: Client, content: FrameworkVersion) -> None:
    changelist = reverse("admin:frameworks_frameworkversion_changelist")
    created = staff.post(changelist, {"action": "draft_new_version", "_selected_action": [content.pk]}, follow=True)
    assert "created" in created.content.decode(), created.content.decode()
    draft = FrameworkVersion.objects.get(status="draft")
    assert draft.label == f"Draft from {content.code}"
    # Editing a draft works through the admin form.
    country = Country.objects.get(version=draft, code="VN")
    assert reverse("admin:frameworks_country_change", args=[country.pk])
    Question.objects.filter(version=draft, code="TE-02").update(weight=2)
    compare = staff.post(changelist, {"action": "compare_two", "_selected_action": [content.pk, draft.pk]})
    assert "question TE-02" in compare.content.decode() and "re-weighted" in compare.content.decode()
    form = staff.post(changelist, {"action": "publish", "_selected_action": [draft.pk]}).content.decode()
    assert 'name="label"' in form and 'name="released_on"' in form
    fields = {"label": "December 2026", "code": "asean-2026-12", "released_on": "2026-12-01"}
    staff.post(changelist, {"action": "publish", "_selected_action": [draft.pk], "apply": "1", **fields})
    draft.refresh_from_db()
    assert (draft.status, draft.label, draft.code) == ("published", "December 2026", "asean-2026-12")
    assert FrameworkVersion.objects.current() == draft
    content.refresh_from_db()
    assert content.superseded_by == draft
    export = staff.post(changelist, {"action": "export_files", "_selected_action": [draft.pk]})
    names = zipfile.ZipFile(io.BytesIO(export.content)).namelist()
    english = [name for name in names if not name.startswith(f"{draft.code}/translations/")]
    assert f"{draft.code}/sources.yaml" in names and len(english) == 6
    # The translations the draft carried over from its edition, beside the English files (docs/translations.md).
    assert all(name.count("/") in (1, 3) for name in names)


def test_a_draft_question_cannot_point_at_another_versions_principle(content: FrameworkVersion) -> None:
    from django.core.exceptions import ValidationError

    from frameworks.models import Principle
    from frameworks.versioning import version_clone

    draft = version_clone(source=content, code="asean-draft-x", label="x")
    question = Question.objects.get(version=draft, code="TE-01")
    question.principle = Principle.objects.get(version=content, code="TE")
    with pytest.raises(ValidationError, match="same framework version"):
        question.full_clean()


def test_question_form_offers_only_its_own_versions_records(staff: Client, content: FrameworkVersion) -> None:
    from frameworks.versioning import version_clone

    draft = version_clone(source=content, code="asean-draft-y", label="y")
    question = Question.objects.get(version=draft, code="GA-01")
    form = staff.get(reverse("admin:frameworks_question_change", args=[question.pk])).context["adminform"].form
    assert {p.version_id for p in form.fields["principle"].queryset} == {draft.pk}
    assert form.fields["risks"].queryset.count() == 6


# The admin explains itself: how content is edited, why a published item is read-only, what changed.


def test_the_index_explains_draft_edit_publish_and_lists_content_first(staff: Client, content: Any) -> None:
    page = staff.get(reverse("admin:index"))
    html = page.content.decode()
    assert "Keeping the reference content current" in html and "docs/admin-guide.md" in html
    labels = [app["app_label"] for app in page.context["app_list"]]
    assert labels[:2] == ["frameworks", "scorecard"]


def test_a_published_question_says_why_it_is_read_only_and_offers_a_draft(staff: Client, content: Any) -> None:
    question = Question.objects.get(version=content, code="TE-01")
    html = staff.get(reverse("admin:frameworks_question_change", args=[question.pk])).content.decode()
    assert "Read-only: this belongs to the published edition November 2026" in html
    assert 'value="draft_new_version"' in html
    staff.post(
        reverse("admin:frameworks_frameworkversion_changelist"),
        {"action": "draft_new_version", "_selected_action": [content.pk]},
    )
    draft = FrameworkVersion.objects.get(status="draft")
    editable = Question.objects.get(version=draft, code="TE-01")
    html = staff.get(reverse("admin:frameworks_question_change", args=[editable.pk])).content.decode()
    assert "Read-only" not in html and f"You are editing the draft {draft.code}" in html


def test_the_comparison_shows_old_and_new_wording_side_by_side(staff: Client, content: Any) -> None:
    draft = version_clone(source=content, code="asean-next", label="next")
    old_text = Question.objects.get(version=content, code="TE-01").text
    Question.objects.filter(version=draft, code="TE-01").update(text="Do you tell people, in plain words?")
    html = staff.post(
        reverse("admin:frameworks_frameworkversion_changelist"),
        {"action": "compare_two", "_selected_action": [content.pk, draft.pk]},
    ).content.decode()
    row = html.split("question TE-01", 1)[1].split("</tr>", 1)[0]
    assert 'class="before">' + old_text.split(",")[0] in row
    assert 'class="after">Do you tell people, in plain words?' in row


def test_inline_fields_are_named_for_screen_readers(staff: Client, content: Any) -> None:
    draft = version_clone(source=content, code="asean-next2", label="next")
    country = Country.objects.get(version=draft, code="VN")
    html = staff.get(reverse("admin:frameworks_country_change", args=[country.pk])).content.decode()
    assert 'aria-label="weight"' in html


def test_the_version_list_explains_the_editions_and_the_steps(staff: Client, content: Any) -> None:
    html = staff.get(reverse("admin:frameworks_frameworkversion_changelist")).content.decode()
    assert "Exactly one published edition is <strong>current</strong>" in html
    assert "Compare two versions" in html and "Current: new assessments use it" in html
