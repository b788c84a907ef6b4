"""Tenant data: organisations, who may act for them, their assessments and answers.

Reads of these models go through `scorecard.selectors`, which scope every query to the user;
writes go through `scorecard.services`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from frameworks.models import FrameworkVersion, Question, RiskMethod


def person_label(user: Any) -> str:
    """How the app names a person in history and messages; a deleted account keeps no name or e-mail."""
    if user is None or not user.email:
        return str(_("a former member"))
    return user.get_full_name() or user.email


def language_choices() -> list[tuple[str, str]]:
    """The interface's languages (settings.LANGUAGES), each named in itself. A callable, so that adding a language
    to the settings needs no migration."""
    return list(settings.LANGUAGES)


class Sector(models.TextChoices):
    FINANCE = "finance", _("Banking, finance and insurance")
    HEALTH = "health", _("Health and life sciences")
    PUBLIC = "public", _("Government and public services")
    TELECOM = "telecom", _("Telecommunications and technology")
    RETAIL = "retail", _("Retail and e-commerce")
    MANUFACTURING = "manufacturing", _("Manufacturing and logistics")
    EDUCATION = "education", _("Education")
    ENERGY = "energy", _("Energy and utilities")
    MEDIA = "media", _("Media and creative industries")
    PROFESSIONAL = "professional", _("Professional services")
    OTHER = "other", _("Other")


class Size(models.TextChoices):
    MICRO = "micro", _("1-9 people")
    SMALL = "small", _("10-49 people")
    MEDIUM = "medium", _("50-249 people")
    LARGE = "large", _("250-4,999 people")
    ENTERPRISE = "enterprise", _("5,000 people or more")


class Role(models.TextChoices):
    """A person's role in an organisation. Ordered: each role can do all the one below it can."""

    VIEWER = "viewer", _("Viewer")
    EDITOR = "editor", _("Editor")
    OWNER = "owner", _("Owner")


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.OWNER: 3}


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation")
        CONSULTANCY = "consultancy", _("Consultancy")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.ORGANISATION)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=12, choices=Size.choices)
    hq_country = models.CharField(_("country of headquarters"), max_length=2)
    created_by_consultancy = models.ForeignKey(
        "self",
        verbose_name=_("created by consultancy"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_clients",
    )
    members_must_use_mfa = models.BooleanField(
        _("members must use two-factor authentication"),
        default=False,
        help_text=_("Everyone who opens this organisation must have set up an authenticator app first."),
    )
    # Blank: each report is in the language of whoever downloads it (scorecard/languages.py).
    language = models.CharField(
        _("report language"),
        max_length=8,
        choices=language_choices,
        blank=True,
        default="",
        help_text=_("PDF reports are in this language unless the person downloading one picks another."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_consultancy(self) -> bool:
        return self.kind == self.Kind.CONSULTANCY


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="memberships", on_delete=models.CASCADE)
    organisation = models.ForeignKey(Organisation, related_name="memberships", on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        constraints = [models.UniqueConstraint(fields=["user", "organisation"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organisation} ({self.role})"


class Invitation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, related_name="invitations", on_delete=models.CASCADE)
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("invitation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} to {self.organisation}"


class ConsultantGrant(models.Model):
    """Access that a client organisation gives a consultancy. Revoking keeps the record for the audit."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Organisation, related_name="grants_given", on_delete=models.CASCADE)
    consultancy = models.ForeignKey(Organisation, related_name="grants_received", on_delete=models.CASCADE)
    role = models.CharField(_("role"), max_length=8, choices=[(Role.VIEWER, _("Viewer")), (Role.EDITOR, _("Editor"))])
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("consultant grant")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "consultancy"],
                condition=models.Q(revoked_at__isnull=True),
                name="uniq_active_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultancy} on {self.client} ({self.role})"


class AIRole(models.TextChoices):
    DEVELOPER = "developer", _("AI developer (we build AI systems)")
    DEPLOYER = "deployer", _("AI deployer (we use AI systems built by others)")
    BOTH = "both", _("Both developer and deployer")


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, related_name="assessments", on_delete=models.CASCADE)
    framework_version = models.ForeignKey(FrameworkVersion, related_name="assessments", on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=12, choices=Size.choices)
    ai_role = models.CharField(_("role with AI"), max_length=10, choices=AIRole.choices)
    uses_genai = models.BooleanField(_("uses or builds generative AI"), default=False)
    target_markets = models.JSONField(_("target markets"), default=list, help_text=_("ISO country codes"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    previous = models.ForeignKey(
        "self",
        verbose_name=_("re-assessment of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reassessments",
    )
    # The AI system this assessment is about; empty for an assessment of the whole organisation. A system with
    # assessments cannot be deleted (it can be retired), but deleting the organisation deletes both.
    ai_system = models.ForeignKey(
        "AISystem",
        verbose_name=_("AI system"),
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="assessments",
    )
    last_section = models.CharField(max_length=40, blank=True)
    last_question = models.CharField(max_length=20, blank=True)
    results = models.JSONField(_("results snapshot"), null=True, blank=True, editable=False)
    # Copies of the snapshot's overall score and level, set on submission: lists of hundreds of assessments
    # (portfolio, bulk export, dashboard) show and filter them without loading the ~40 KB snapshot.
    overall_score = models.FloatField(_("overall score"), null=True, blank=True, editable=False)
    overall_level = models.PositiveSmallIntegerField(_("overall maturity level"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class Answer(models.Model):
    """An answer to one question. `choice` is an option code, or one of the two special values."""

    NOT_APPLICABLE = "na"
    DONT_KNOW = "unknown"
    CHECKLIST = "checklist"

    assessment = models.ForeignKey(Assessment, related_name="answers", on_delete=models.CASCADE)
    question = models.ForeignKey(Question, related_name="+", on_delete=models.PROTECT)
    choice = models.CharField(_("answer"), max_length=20, blank=True)
    checked = models.JSONField(_("practices in place"), default=list, blank=True)
    evidence_note = models.TextField(_("evidence note"), blank=True)
    evidence_link = models.URLField(_("evidence link"), max_length=500, blank=True)
    na_justification = models.TextField(_("why it does not apply"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer")
        constraints = [models.UniqueConstraint(fields=["assessment", "question"], name="uniq_answer")]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.choice}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "choice": self.choice,
            "checked": list(self.checked),
            "evidence_note": self.evidence_note,
            "evidence_link": self.evidence_link,
            "na_justification": self.na_justification,
        }


class AnswerChange(models.Model):
    """Audit trail: who changed which answer, when, from what to what."""

    assessment = models.ForeignKey(Assessment, related_name="changes", on_delete=models.CASCADE)
    question_code = models.CharField(max_length=20)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField()

    class Meta:
        verbose_name = _("answer change")
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.question_code} by {self.changed_by} at {self.changed_at:%Y-%m-%d %H:%M}"


class Branding(models.Model):
    """A consultancy's report branding: an optional logo (validated on upload) shown on report covers."""

    organisation = models.OneToOneField(Organisation, related_name="branding", on_delete=models.CASCADE)
    logo = models.BinaryField(_("logo"), editable=False)
    logo_type = models.CharField(max_length=20)
    logo_sha256 = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("report branding")

    def __str__(self) -> str:
        return f"Branding of {self.organisation}"


class RenderedReport(models.Model):
    """A cached PDF, keyed on everything that shapes it (content, framework version, branding, template, language).

    The PDF itself lives in the "reports" storage (docs/deploy.md), under `file`; the row is the index.
    """

    cache_key = models.CharField(max_length=64, unique=True)
    assessment = models.ForeignKey(Assessment, related_name="rendered_reports", on_delete=models.CASCADE)
    file = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rendered report")

    def __str__(self) -> str:
        return f"Report {self.cache_key[:12]} for {self.assessment_id}"


class BulkExport(models.Model):
    """A consultant's request to render several assessments' reports into one zip, in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        ZIPPING = "zipping", _("Bundling the zip")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assessment_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Every report of the export is rendered in this language (chosen on the export page).
    language = models.CharField(_("report language"), max_length=8, choices=language_choices, default="en")
    done_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    # The zip's name in the "reports" storage once it is bundled; deleted when the export expires.
    archive_name = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulk export")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bulk export {self.pk} ({self.status})"

    @property
    def total(self) -> int:
        return len(self.assessment_ids)

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING, self.Status.ZIPPING}


class Preference(models.Model):
    """What a person chose for themselves: the interface language, applied at log-in and on each request
    (scorecard/middleware.py), and the language of the e-mails sent to them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, related_name="preference", on_delete=models.CASCADE)
    language = models.CharField(_("language"), max_length=8, choices=language_choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("preference")

    def __str__(self) -> str:
        return f"Preferences of user {self.user_id}"


@receiver(user_logged_in, dispatch_uid="scorecard.language_at_log_in")
def language_at_log_in(sender: type, request: Any, user: Any, **kwargs: Any) -> None:
    """Apply the person's language choice from the moment they log in, by any way (connected here, as this module
    is loaded at start-up and `scorecard.languages` is not)."""
    from .languages import settle_session_language  # it imports this module

    if request is not None:
        settle_session_language(request, user)


class AuditEntry(models.Model):
    """Who did what, when: one row per write made through a service (pretix `log_action`, Zulip `RealmAuditLog`).

    The links are kept loose on purpose (SET_NULL, a bare assessment id, a copy of the e-mail) so that deleting an
    account, an organisation or an assessment never deletes or blocks the trail that records it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_email = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    assessment_id = models.UUIDField(null=True, blank=True)
    action = models.CharField(max_length=40)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "created_at"], name="audit_org_created")]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_email or 'system'} at {self.created_at:%Y-%m-%d %H:%M}"


# --- The AI-system workspace: inventory, risk impact assessments, actions and evidence (docs/workspace.md) -----


class Lifecycle(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DEVELOPMENT = "development", _("In development")
    PILOT = "pilot", _("Pilot or testing")
    DEPLOYED = "deployed", _("In use")
    RETIRED = "retired", _("Retired")


class DataCategory(models.TextChoices):
    PERSONAL = "personal", _("Personal data")
    SENSITIVE = "sensitive", _("Sensitive personal data (health, religion, ethnicity, ...)")
    BIOMETRIC = "biometric", _("Biometric data")
    CHILDREN = "children", _("Children's data")
    FINANCIAL = "financial", _("Financial data")
    NONE = "none", _("No personal data")


class AffectedGroup(models.TextChoices):
    CUSTOMERS = "customers", _("Customers")
    EMPLOYEES = "employees", _("Employees")
    PUBLIC = "public", _("The general public")
    PATIENTS = "patients", _("Patients")
    STUDENTS = "students", _("Students or children")
    VULNERABLE = "vulnerable", _("Vulnerable or marginalised groups")


class HumanInvolvement(models.TextChoices):
    """The three levels of human involvement of the Guide's component C.2."""

    IN_THE_LOOP = "in", _("Human-in-the-loop")
    OVER_THE_LOOP = "over", _("Human-over-the-loop")
    OUT_OF_THE_LOOP = "out", _("Human-out-of-the-loop")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class AISystem(models.Model):
    """One AI system an organisation builds or uses: an entry of its inventory."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, related_name="ai_systems", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    # A member of the organisation; cleared if they leave or their account is deleted.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lifecycle = models.CharField(_("lifecycle stage"), max_length=12, choices=Lifecycle.choices)
    ai_role = models.CharField(_("role with AI"), max_length=10, choices=AIRole.choices)
    uses_genai = models.BooleanField(_("generative AI"), default=False)
    models_and_vendors = models.TextField(_("models and vendors used"), blank=True)
    data_categories = models.JSONField(_("categories of data"), default=list, blank=True)
    affected_groups = models.JSONField(_("people affected"), default=list, blank=True)
    markets = models.JSONField(_("markets served"), default=list, blank=True, help_text=_("ISO country codes"))
    human_involvement = models.CharField(
        _("level of human involvement"), max_length=4, choices=HumanInvolvement.choices, blank=True
    )
    # Copied from the latest submitted risk assessment, so that lists show them without reading answers.
    risk_level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("AI system")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="uniq_ai_system_name")]

    def __str__(self) -> str:
        return self.name


class SystemRiskAssessment(models.Model):
    """A risk impact assessment of one AI system, answered against one published risk method.

    `answers` maps a question code to {"value": ..., "note": ...}; `result` is the outcome computed on submission
    (scorecard/risk.py), kept as it was so that a later method never changes it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, related_name="risk_assessments", on_delete=models.CASCADE)
    method = models.ForeignKey(RiskMethod, related_name="assessments", on_delete=models.PROTECT)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True, editable=False)
    risk_level = models.CharField(_("risk level"), max_length=6, choices=RiskLevel.choices, blank=True)
    recommended_involvement = models.CharField(
        _("recommended human involvement"), max_length=4, choices=HumanInvolvement.choices, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("risk impact assessment")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Risk assessment of {self.ai_system} ({self.status})"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.SUBMITTED


class EvidenceFile(models.Model):
    """A file in an organisation's evidence library. One file can support several answers and actions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, related_name="evidence_files", on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=200)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # The file's name in the "evidence" storage (settings.STORAGES), chosen by the app, never by the uploader.
    stored_name = models.CharField(max_length=255, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    answers = models.ManyToManyField(Answer, verbose_name=_("answers"), related_name="evidence_files", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Action(models.Model):
    """A gap of a submitted assessment that someone owns and closes."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        RISK_ACCEPTED = "risk_accepted", _("Risk accepted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, related_name="actions", on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, related_name="actions", on_delete=models.CASCADE)
    question_code = models.CharField(_("question"), max_length=20)
    title = models.CharField(_("action"), max_length=500)
    priority = models.CharField(_("priority"), max_length=24, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=14, choices=Status.choices, default=Status.OPEN)
    justification = models.TextField(_("why the risk is accepted"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    evidence_files = models.ManyToManyField(
        EvidenceFile, verbose_name=_("evidence"), related_name="actions", blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The day the owner was last reminded, so that a reminder run twice in a day sends once.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("action")
        ordering = ["due_on", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_code"], name="uniq_action_per_gap"),
        ]
        indexes = [models.Index(fields=["organisation", "status"], name="action_org_status")]

    def __str__(self) -> str:
        return f"{self.question_code}: {self.title[:60]}"

    @property
    def is_closed(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.RISK_ACCEPTED}
