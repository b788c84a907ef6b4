"""Shared fixtures. The shipped content is loaded once per test session, as `make run` loads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from frameworks.loading import load_content
from frameworks.models import FrameworkVersion
from scorecard.models import Role
from tests.factories import AssessmentFactory, MembershipFactory, OrganisationFactory, UserFactory

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CONTENT_DIR = FIXTURES / "asean-2026-11"  # the current edition, which new assessments use
LEGACY_DIR = FIXTURES / "asean-2024-2025"  # the first edition, superseded but still loaded


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: Any) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REPORT_PRERENDER = False  # with immediate tasks every submit would render a PDF; tested on its own
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
    # allauth counts log-ins, sign-ups and e-mails per address in the cache, which outlives a test's database.
    cache.clear()
    # Production serves hashed names from `collectstatic`; tests run without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # Cached PDFs and export zips in a folder of this test's own, never the project's media/.
        "reports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("reports"))},
        },
        "evidence": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path_factory.mktemp("evidence"))},
        },
    }


def ensure_content() -> FrameworkVersion:
    """Both shipped editions and the shipped risk methods, as `make run` loads them; returns the current edition."""
    from frameworks.models import RiskMethod
    from frameworks.risk_loading import load_risk_method

    if not FrameworkVersion.objects.filter(code="asean-2024-2025").exists():
        load_content(LEGACY_DIR)
    for path in sorted((FIXTURES / "risk-methods").glob("*.yaml")):
        if not RiskMethod.objects.filter(code=path.stem).exists():
            load_risk_method(path)
    version = FrameworkVersion.objects.filter(code="asean-2026-11").first()
    return version or load_content(CONTENT_DIR).version


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        ensure_content()


@pytest.fixture
def content(db: Any) -> FrameworkVersion:
    return ensure_content()


@pytest.fixture
def legacy_content(content: FrameworkVersion) -> FrameworkVersion:
    return FrameworkVersion.objects.get(code="asean-2024-2025")


@pytest.fixture
def owner(db: Any) -> Any:
    membership = MembershipFactory(role=Role.OWNER)
    return membership.user


@pytest.fixture
def organisation(owner: Any) -> Any:
    return owner.memberships.get().organisation


@pytest.fixture
def assessment(content: FrameworkVersion, organisation: Any, owner: Any) -> Any:
    return AssessmentFactory(organisation=organisation, created_by=owner)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def outsider(db: Any) -> Any:
    """A user of another organisation, who must never see the first one's data."""
    other = OrganisationFactory(name="Other Org")
    user = UserFactory(email="outsider@example.org")
    MembershipFactory(user=user, organisation=other, role=Role.OWNER)
    return user
