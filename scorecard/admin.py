"""Admin for usage and support. Deliberately shows no answers: the product never shows one organisation's
answers to anyone outside it, administrators included."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from .models import Assessment, AuditEntry, ConsultantGrant, Membership, Organisation


class MembershipInline(admin.TabularInline):
    """Who belongs to the organisation, read-only: membership changes only through the organisation's own
    owners in the product (invitations, roles), so that no administrator can add themselves and read answers."""

    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["user", "role", "created_at"]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "sector", "size", "hq_country", "member_count", "assessment_count", "created_at"]
    list_filter = ["kind", "sector", "size", "hq_country"]
    search_fields = ["name"]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return (
            super()
            .get_queryset(request)
            .annotate(n_members=Count("memberships", distinct=True), n_assessments=Count("assessments", distinct=True))
        )

    @admin.display(description="members", ordering="n_members")
    def member_count(self, obj: Organisation) -> int:
        return obj.n_members  # type: ignore[attr-defined]

    @admin.display(description="assessments", ordering="n_assessments")
    def assessment_count(self, obj: Organisation) -> int:
        return obj.n_assessments  # type: ignore[attr-defined]


USAGE_FIELDS = (
    "name",
    "organisation",
    "status",
    "framework_version",
    "sector",
    "size",
    "ai_role",
    "uses_genai",
    "target_markets",
    "created_at",
    "submitted_at",
)


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    """Usage only: status, dates and profile; no answers, evidence or results."""

    list_display = ["name", "organisation", "status", "framework_version", "created_at", "submitted_at"]
    list_filter = ["status", "framework_version", "ai_role", "uses_genai", "sector"]
    search_fields = ["name", "organisation__name"]
    fields = list(USAGE_FIELDS)
    readonly_fields = USAGE_FIELDS

    def get_queryset(self, request: HttpRequest) -> QuerySet[Assessment]:
        # The results snapshot (tens of KiB of JSON per submitted assessment) is never shown here: a page of the
        # list would read megabytes for nothing. Deferred on every admin page, the change page included.
        return super().get_queryset(request).defer("results")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ConsultantGrant)
class ConsultantGrantAdmin(admin.ModelAdmin):
    list_display = ["consultancy", "client", "role", "created_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["consultancy__name", "client__name"]
    readonly_fields = ["client", "consultancy", "role", "granted_by", "created_at", "revoked_at"]

    # Access is given and revoked by the client's own owners in the product, never by an administrator
    # (the add form had no client or consultancy to choose: every field is read-only).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody adds, edits or deletes an entry, administrators included."""

    list_display = ["created_at", "action", "user_email", "organisation", "assessment_id", "detail"]
    list_filter = ["action"]
    search_fields = ["user_email", "organisation__name", "action"]
    date_hierarchy = "created_at"
    fields = ("created_at", "action", "user", "user_email", "organisation", "assessment_id", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
