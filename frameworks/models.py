"""Reference content: the ASEAN Guide, the GenAI supplement, questions and country readiness data.

Everything hangs off a FrameworkVersion. A published version is immutable: admins change content by
drafting a new version (a clone), editing it and publishing it. Assessments point at the version they
were answered against, so a content update never changes a finished assessment.
Natural keys (codes) identify every record in the fixture files; numeric ids never leave the database.
"""

# django-modeltranslation swaps the content models' managers for multilingual ones at start-up, which the mypy
# plugin cannot see (typeddjango/django-stubs#1023); the managers still behave as Django's.
# mypy: disable-error-code="django-manager-missing"

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR_MESSAGE = _("Use capital letters, digits and dashes only, e.g. TE-03.")


class FrameworkVersionQuerySet(models.QuerySet["FrameworkVersion"]):
    def published(self) -> FrameworkVersionQuerySet:
        return self.filter(status=FrameworkVersion.Status.PUBLISHED)

    def newest_first(self) -> FrameworkVersionQuerySet:
        # Why released_on first: loading an older edition's files after a newer one must not make it current.
        return self.order_by(F("released_on").desc(nulls_last=True), F("published_at").desc(nulls_last=True), "-pk")

    def current(self) -> FrameworkVersion | None:
        """The newest published edition: the one new assessments are pinned to. Exactly one at a time."""
        return self.published().newest_first().first()


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
    # The answer scales' labels in other languages, as the translation files give them ({"th": {"maturity": {"3":
    # {"label": ...}}}}); the options of each question carry their own translated columns (frameworks/translation.py).
    scale_translations = models.JSONField(_("answer scales in other languages"), default=dict, blank=True)
    schema = models.PositiveSmallIntegerField(
        _("content schema"),
        default=1,
        help_text=_("1: the first edition's format; 2: every fact cites documents and says when it was checked."),
    )
    released_on = models.DateField(
        _("released on"), null=True, blank=True, help_text=_("The edition's date; set when it is published.")
    )
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

    @property
    def superseded_by(self) -> FrameworkVersion | None:
        """The current edition, when this published one is older; None for the current one and for drafts."""
        if self.status != self.Status.PUBLISHED:
            return None
        current = FrameworkVersion.objects.current()
        return current if current is not None and current.pk != self.pk else None

    @property
    def cites_documents(self) -> bool:
        """Schema 2 editions cite a source list; the first edition's facts carry a free-text note instead."""
        return self.schema >= 2


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
    guide_section = models.CharField(_("Guide section"), max_length=20, blank=True, help_text=_("e.g. §B.4"))
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
    guide_section = models.CharField(_("Guide section"), max_length=20, blank=True, help_text=_("e.g. C.2"))
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
    """One of the Expanded Guide's nine policy dimensions (recommendations to governments)."""

    name = models.CharField(_("name"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    adaptation = models.TextField(
        _("this scorecard's adaptation to organisations"),
        blank=True,
        help_text=_("The Guide addresses governments; say what the scorecard asks of an organisation instead."),
    )

    class Meta(VersionedContent.Meta):
        verbose_name = _("GenAI recommendation dimension")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_genai_dimension_code")]


class Confidence(models.TextChoices):
    HIGH = "H", _("High: the document itself or two sources agree")
    MEDIUM = "M", _("Medium: one secondary source")
    UNCERTAIN = "?", _("Uncertain: sources disagree or unconfirmed")


class Source(VersionedContent):
    """A public document that facts and requirements cite: publisher, title, its own date, address if known."""

    code = models.CharField(_("code"), max_length=20, help_text=_("e.g. VN9; cited by this code in the content"))
    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=300)
    date = models.CharField(_("date"), max_length=40, blank=True, help_text=_("The document's own date, as given"))
    url = models.URLField(_("address (URL)"), max_length=500, blank=True, help_text=_("Only an address seen to work"))
    note = models.CharField(_("note for readers"), max_length=300, blank=True, help_text=_("e.g. paywalled"))

    class Meta(VersionedContent.Meta):
        verbose_name = _("source document")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_source_code")]

    def __str__(self) -> str:
        return ", ".join(part for part in (self.publisher, f"“{self.title}”", self.date) if part)


class Sourced(models.Model):
    """Fields every checked statement has in a schema 2 edition: sources, when checked, how sure we are."""

    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    status_as_of = models.CharField(
        _("status as of"), max_length=40, blank=True, help_text=_("the date of the newest source on a moving item")
    )
    # Columns of translated prose leave room for translations, which run longer than the English (at most 200
    # characters here, frameworks/content.py); likewise `in_force_note` and an instrument's `status`.
    confidence_note = models.CharField(
        _("what is less certain"), max_length=400, blank=True, help_text=_("e.g. the status in November 2026")
    )

    class Meta:
        abstract = True

    @property
    def is_stale(self) -> bool:
        from .freshness import is_stale

        return is_stale(self.checked_on)


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
    readiness_index_edition = models.CharField(_("index edition"), max_length=10, blank=True, help_text=_("e.g. 2024"))
    readiness_index_sources = models.ManyToManyField(
        Source, verbose_name=_("index sources"), blank=True, related_name="cited_by_index"
    )
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


class CountryFact(Sourced):
    """One sourced fact about a country: its AI strategy, a law, a transfer rule, an AI body."""

    class Topic(models.TextChoices):
        STRATEGY = "strategy", _("AI strategy")
        GUIDELINE = "guideline", _("AI governance guideline")
        AI_LAW = "ai_law", _("AI law")
        AI_BODY = "ai_body", _("AI governance body")
        DATA_LAW = "data_law", _("Data protection law")
        DATA_DUTY = "data_duty", _("Data protection duties")
        TRANSFER = "transfer", _("Cross-border transfer and localisation")
        LOCALISATION = "localisation", _("Data localisation and registration")
        CYBER = "cyber", _("Cybersecurity law")
        SECTOR = "sector", _("Sector rules")
        PENDING = "pending", _("Pending law or regulation")
        MEMBERSHIP = "membership", _("ASEAN membership")
        NOTE = "note", _("Other")

    country = models.ForeignKey(Country, related_name="facts", on_delete=models.CASCADE)
    code = models.CharField(_("fact ID"), max_length=20, blank=True)
    topic = models.CharField(_("topic"), max_length=12, choices=Topic.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=60, blank=True, help_text=_("e.g. in force, draft, none"))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="cited_by_facts")
    source = models.CharField(_("source (first edition)"), max_length=300, blank=True)
    as_of = models.DateField(_("as of (first edition)"), null=True, blank=True)
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


class RegionalInstrument(VersionedContent, Sourced):
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=400)
    key_dates = models.TextField(_("key dates"))
    summary = models.TextField(_("summary"))
    implication = models.TextField(_("what it means for an organisation"))
    sources = models.ManyToManyField(Source, verbose_name=_("sources"), blank=True, related_name="cited_by_instruments")
    source = models.CharField(_("source (first edition)"), max_length=300, blank=True)
    as_of = models.DateField(_("as of (first edition)"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)

    class Meta(VersionedContent.Meta):
        verbose_name = _("regional instrument")
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="uniq_instrument_code")]


class Obligation(models.TextChoices):
    """What kind of legal duty a market requirement is: the catalogue groups a market's items by it."""

    LEGAL_BASIS = "legal_basis", _("Legal basis and consent")
    TRANSFER = "transfer", _("Cross-border transfer")
    BREACH = "breach", _("Breach notification")
    DPO = "dpo", _("Data protection officer")
    DPIA = "dpia", _("Impact assessment")
    REGISTRATION = "registration", _("Registration")
    LOCALISATION = "localisation", _("Data localisation")
    SECURITY = "security", _("Security of data")
    RIGHTS = "rights", _("Individuals' rights")
    AI_DUTY = "ai_duty", _("AI-specific duty")
    WATCH = "watch", _("Legal watch")
    OTHER = "other", _("Other")


class Question(VersionedContent, Sourced):
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
    guide_section = models.CharField(
        _("Guide section"), max_length=60, blank=True, help_text=_("The part of the Guide it implements, e.g. §B.4")
    )
    obligation = models.CharField(_("kind of obligation"), max_length=20, choices=Obligation.choices, blank=True)
    applies_when = models.TextField(_("applies when"), blank=True, help_text=_("The condition of a conditional duty"))
    in_force_since = models.DateField(_("in force since"), null=True, blank=True)
    in_force_note = models.CharField(_("more dates"), max_length=600, blank=True)
    sources: models.ManyToManyField[Source, models.Model] = models.ManyToManyField(
        Source, verbose_name=_("sources"), blank=True, related_name="cited_by_requirements"
    )
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices, blank=True)

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


# --- The risk impact assessment method (the Guide's component C.2 and Annex A) ----------------------------------


class RiskMethod(models.Model):
    """A published set of risk impact assessment questions and the rules that turn answers into a risk level.

    Versioned apart from the questionnaire editions: a system's risk assessment points at the method it was
    answered against, and a published method never changes (a new code makes a new method). The rules (`levels`)
    say how the probability and severity answers combine into low, medium or high risk and which level of human
    involvement each calls for (docs/risk-method.md).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        RETIRED = "retired", _("Retired")

    code = models.SlugField(_("code"), max_length=60, unique=True, help_text=_("e.g. asean-annex-a-2026-12"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    released_on = models.DateField(_("released on"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The scales and the rules of the method, as the content file gives them (scorecard/risk.py reads them).
    levels = models.JSONField(_("scales and rules"), default=dict, blank=True)
    # The documents the method follows, e.g. the ASEAN Guide's component C.2 and Annex A.
    sources = models.JSONField(_("sources"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("risk assessment method")
        ordering = ["-released_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def natural_key(self) -> tuple[str]:
        return (self.code,)

    @classmethod
    def current(cls) -> RiskMethod | None:
        """The newest published method: the one new risk assessments use."""
        return (
            cls.objects.filter(status=cls.Status.PUBLISHED)
            .order_by(F("released_on").desc(nulls_last=True), "-pk")
            .first()
        )


class RiskQuestion(models.Model):
    """One question of a risk method, in one of the five sections of the Guide's Annex A."""

    class Section(models.TextChoices):
        OBJECTIVES = "objectives", _("Objectives of deploying AI")
        GOVERNANCE = "governance", _("Internal governance")
        HUMAN_INVOLVEMENT = "human-involvement", _("Level of human involvement")
        OPERATIONS = "operations", _("Operations management")
        STAKEHOLDERS = "stakeholders", _("Stakeholder interaction and communication")

    class Kind(models.TextChoices):
        PROBABILITY = "probability", _("Probability of harm")
        SEVERITY = "severity", _("Severity of harm")
        YES_NO = "yes-no", _("Yes or no")
        TEXT = "text", _("Written answer")

    method = models.ForeignKey(RiskMethod, related_name="questions", on_delete=models.CASCADE)
    code = models.CharField(_("code"), max_length=20)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    kind = models.CharField(_("kind of answer"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("question"))
    guidance = models.TextField(_("guidance"), blank=True)
    annex_ref = models.CharField(
        _("Guide reference"), max_length=60, blank=True, help_text=_("e.g. Annex A 3.1, component C.2")
    )
    required = models.BooleanField(_("must be answered to submit"), default=True)

    class Meta:
        verbose_name = _("risk question")
        ordering = ["order", "code"]
        constraints = [models.UniqueConstraint(fields=["method", "code"], name="uniq_risk_question_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:70]}"
