"""Factories for tenant data. Reference content comes from the shipped fixtures (see conftest)."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from frameworks.models import FrameworkVersion, RiskMethod
from scorecard.models import (
    Action,
    AISystem,
    Assessment,
    ConsultantGrant,
    EvidenceFile,
    Membership,
    Organisation,
    Role,
    SystemRiskAssessment,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("correct-horse-battery-9")

    @factory.post_generation
    def email_verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Accounts have a confirmed address, as every account had before confirmation existed (and as the
        upgrade gives them); `UserFactory(email_verified=False)` makes one that has not confirmed it yet."""
        if create and self.email:
            EmailAddress.objects.update_or_create(
                user=self, email=self.email.lower(), defaults={"primary": True, "verified": extracted is not False}
            )


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.ORGANISATION
    sector = "finance"
    size = "large"
    hq_country = "MY"


class ConsultancyFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Consultancy {n}")
    kind = Organisation.Kind.CONSULTANCY
    sector = "professional"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.OWNER


class GrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsultantGrant

    client = factory.SubFactory(OrganisationFactory)
    consultancy = factory.SubFactory(ConsultancyFactory)
    role = Role.EDITOR
    granted_by = factory.SubFactory(UserFactory)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    organisation = factory.SubFactory(OrganisationFactory)
    framework_version = factory.LazyFunction(lambda: FrameworkVersion.objects.current())
    name = factory.Sequence(lambda n: f"Assessment {n}")
    sector = "finance"
    size = "large"
    ai_role = "both"
    uses_genai = True
    target_markets = factory.LazyFunction(lambda: ["SG", "VN", "KH"])
    created_by = factory.SubFactory(UserFactory)


def stored_zip() -> str:
    """A small zip in the reports storage, for a finished bulk export (its `archive_name`)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    return storages["reports"].save("exports/test.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18))


class AISystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AISystem

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"AI system {n}")
    purpose = "Scores loan applications"
    lifecycle = "deployed"
    ai_role = "deployer"
    uses_genai = False
    data_categories = factory.LazyFunction(lambda: ["personal"])
    affected_groups = factory.LazyFunction(lambda: ["customers"])
    markets = factory.LazyFunction(lambda: ["TH", "VN"])


def risk_method() -> RiskMethod:
    """The current risk method: the shipped one when the content is loaded, else a bare published one."""
    method = RiskMethod.current()
    if method is None:
        method = RiskMethod.objects.create(code="test-method", title="Test method", status=RiskMethod.Status.PUBLISHED)
    return method


class RiskAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SystemRiskAssessment

    ai_system = factory.SubFactory(AISystemFactory)
    method = factory.LazyFunction(risk_method)


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    assessment = factory.SubFactory(AssessmentFactory)
    organisation = factory.SelfAttribute("assessment.organisation")
    question_code = "TE-01"
    title = "Publish how the system is used"


def stored_evidence(organisation: Organisation, name: str = "policy.pdf") -> EvidenceFile:
    """A small PDF in the organisation's evidence library, stored in the "evidence" storage."""
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import storages

    data = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    stored = storages["evidence"].save(f"{organisation.pk}/test-{name}", ContentFile(data))
    return EvidenceFile.objects.create(
        organisation=organisation,
        name=name,
        stored_name=stored,
        content_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
