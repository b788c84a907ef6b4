"""Reference content: the ASEAN Guide, the GenAI supplement, questions and country readiness data.

Everything hangs off a FrameworkVersion. A published version is immutable: admins change content by
drafting a new version (a clone), editing it and publishing it. Assessments point at the version they
were answered against, so a content update never changes a finished assessment.
Natural keys (codes) identify every record in the fixture files; numeric ids never leave the database.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR_MESSAGE = _("Use capital letters, digits and dashes only, e.g. TE-03.")


class FrameworkVersionQuerySet(models.QuerySet["FrameworkVersion"]):
    def published(self) -> FrameworkVersionQuerySet:
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)

    def current(self) -> FrameworkVersion | None:
        """The newest published version: the one new assessments are pinned to."""
        return self.published().order_by("-published_at", "-pk").first()


class FrameworkVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("e.g. asean-2024-2025"))
    label = models.CharField(_("label"), max_length=60, help_text=_("Shown to users, e.g. 2024/2025"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self", verbose_name=_("based on"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scales = models.JSONField(_("answer scales"), default=dict, blank=True, help_text=_("Default options per scale"))
    sources = models.JSONField(_("sources"), default=dict, blank=True, help_text=_("Source note per content file"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FrameworkVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework version")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.label}, {self.get_status_display()})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT


class VersionedContent(models.Model):
    """Base for every record that belongs to one framework version and is identified by a code."""

    version = models.ForeignKey(FrameworkVersion, verbose_name=_("framework version"), on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        name = getattr(self, "name", "")
        return f"{self.code} {name}".strip()

    def clean(self) -> None:
        if self.version_id and not FrameworkVersion.objects.filter(pk=self.version_id, status="draft").exists():
            raise ValidationError(_("This framework version is published; draft a new version to change it."))


class Principle(VersionedContent):
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40)
    definition = models.TextField(_("definition"))
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("10"))],
    )

    class Meta(VersionedContent.Meta):
        verbose_name = _("principle")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_principle_code")]


class GovernanceComponent(VersionedContent):
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)

    class Meta(VersionedContent.Meta):
        verbose_name = _("governance component")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_component_code")]


class GenAIRisk(VersionedContent):
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)

    class Meta(VersionedContent.Meta):
        verbose_name = _("GenAI risk")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_genai_risk_code")]


class GenAIDimension(VersionedContent):
    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)

    class Meta(VersionedContent.Meta):
        verbose_name = _("GenAI recommendation dimension")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_genai_dimension_code")]


class Confidence(models.TextChoices):
    HIGH = "H", _("High: the document itself or two sources agree")
    MEDIUM = "M", _("Medium: one secondary source")
    UNCERTAIN = "?", _("Uncertain: sources disagree or unconfirmed")


class Country(VersionedContent):
    """An ASEAN member state as a target market. `code` is the ISO 3166-1 alpha-2 code."""

    name = models.CharField(_("name"), max_length=80)
    member_since = models.DateField(_("ASEAN member since"))
    tier = models.CharField(_("readiness tier"), max_length=40, blank=True)
    tier_source = models.CharField(_("tier source"), max_length=300, blank=True)
    tier_confidence = models.CharField(_("tier confidence"), max_length=1, choices=Confidence.choices, blank=True)
    readiness_index = models.DecimalField(
        _("Government AI Readiness Index 2024"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("Oxford Insights, 2024 edition. Leave empty when unknown; never guess."),
    )
    readiness_index_source = models.CharField(_("index source"), max_length=300, blank=True)
    readiness_index_confidence = models.CharField(
        _("index confidence"), max_length=1, choices=Confidence.choices, blank=True
    )
    has_data_protection_law = models.BooleanField(
        _("has a comprehensive data protection law in force"),
        default=False,
        help_text=_("Without one, the market is flagged as legal uncertainty, not as easy."),
    )

    class Meta(VersionedContent.Meta):
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_country_code")]


class CountryFact(models.Model):
    """One sourced fact about a country: its AI strategy, a law, a transfer rule, an AI body."""

    class Topic(models.TextChoices):
        STRATEGY = "strategy", _("AI strategy")
        GUIDELINE = "guideline", _("AI governance guideline")
        AI_LAW = "ai_law", _("AI law")
        DATA_LAW = "data_law", _("Data protection law")
        TRANSFER = "transfer", _("Cross-border transfer and localisation")
        AI_BODY = "ai_body", _("AI governance body")
        NOTE = "note", _("Other")

    country = models.ForeignKey(Country, related_name="facts", on_delete=models.CASCADE)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=60, blank=True, help_text=_("e.g. in force, draft, none"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"))
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)

    class Meta:
        verbose_name = _("country fact")
        ordering = ["country", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["country", "topic", "order"], name="uniq_country_fact")]

    def __str__(self) -> str:
        return f"{self.country.code} {self.get_topic_display()}"


class MarketPrincipleWeight(models.Model):
    """How much a principle weighs in a market's readiness score."""

    country = models.ForeignKey(Country, related_name="principle_weights", on_delete=models.CASCADE)
    principle = models.ForeignKey(Principle, related_name="market_weights", on_delete=models.CASCADE)
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )

    class Meta:
        verbose_name = _("market principle weight")
        constraints = [models.UniqueConstraint(fields=["country", "principle"], name="uniq_market_weight")]

    def __str__(self) -> str:
        return f"{self.country.code} {self.principle.code} x{self.weight}"

    def clean(self) -> None:
        if self.country_id and self.principle_id and self.country.version_id != self.principle.version_id:
            raise ValidationError({"principle": _("Choose a principle from the same framework version.")})


class RegionalInstrument(VersionedContent):
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=200)
    key_dates = models.TextField(_("key dates"))
    summary = models.TextField(_("summary"))
    implication = models.TextField(_("what it means for an organisation"))
    source = models.CharField(_("source"), max_length=300)
    as_of = models.DateField(_("as of"))
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)

    class Meta(VersionedContent.Meta):
        verbose_name = _("regional instrument")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_instrument_code")]


class Question(VersionedContent):
    """A questionnaire item: a principle question, a GenAI supplement item or a market requirement.

    Which of the three it is follows from what it points at: a market makes it a market requirement,
    a GenAI dimension makes it a GenAI supplement item, otherwise it belongs to its principle's section.
    """

    class Scale(models.TextChoices):
        MATURITY = "maturity", _("Maturity 0-4")
        YES_PARTIAL_NO = "ypn", _("Yes / partial / no")
        CHECKLIST = "checklist", _("Checklist of practices")

    class Role(models.TextChoices):
        ANY = "any", _("Every organisation")
        DEVELOPER = "developer", _("AI developers")
        DEPLOYER = "deployer", _("AI deployers")

    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("question"))
    guidance = models.TextField(_("what good looks like"))
    evidence_hint = models.TextField(_("evidence to keep"))
    recommendation = models.TextField(_("recommendation when there is a gap"))
    scale = models.CharField(_("answer scale"), max_length=12, choices=Scale.choices)
    weight = models.DecimalField(
        _("weight"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(Decimal("5"))],
    )
    key_control = models.BooleanField(_("key control"), default=False)
    allow_na = models.BooleanField(_("N/A allowed"), default=False)
    applies_to = models.CharField(_("applies to"), max_length=12, choices=Role.choices, default=Role.ANY)
    requires_genai = models.BooleanField(_("only for organisations using GenAI"), default=False)
    principle = models.ForeignKey(Principle, related_name="questions", on_delete=models.PROTECT)
    component = models.ForeignKey(
        GovernanceComponent, related_name="questions", on_delete=models.PROTECT, null=True, blank=True
    )
    genai_dimension = models.ForeignKey(
        GenAIDimension, related_name="questions", on_delete=models.PROTECT, null=True, blank=True
    )
    risks = models.ManyToManyField(GenAIRisk, related_name="mitigated_by", blank=True)
    market = models.ForeignKey(Country, related_name="requirements", on_delete=models.PROTECT, null=True, blank=True)
    mandatory = models.BooleanField(_("mandatory in this market"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)

    class Meta(VersionedContent.Meta):
        verbose_name = _("question")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_question_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:70]}"

    def clean(self) -> None:
        super().clean()
        # Why: the admin's pickers list every version's records; a draft must only point at its own.
        for field in ("principle", "component", "genai_dimension", "market"):
            related = getattr(self, field, None)
            if related is not None and related.version_id != self.version_id:
                raise ValidationError({field: _("Choose one from the same framework version as the question.")})

    @property
    def section_key(self) -> str:
        if self.market is not None:
            return f"market-{self.market.code}"
        if self.genai_dimension_id:
            return "genai"
        return f"principle-{self.principle.code}"


class Option(models.Model):
    """One answer option. For a checklist, each option is a practice and points add up."""

    question = models.ForeignKey(Question, related_name="options", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    label = models.CharField(_("label"), max_length=300)
    descriptor = models.TextField(_("descriptor"), blank=True)
    points = models.DecimalField(
        _("points"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10"))],
    )

    class Meta:
        verbose_name = _("option")
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["question", "code"], name="uniq_option_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"
