"""Project URLs. Every URL that takes an object id reaches its object through a scoped selector."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from .views import accounts, actions, assessments, evidence, organisations, pages, reports, results, risk, systems

# Staff log in to the admin through the site's log-in (e-mail, lockout, two-factor), never a second form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", pages.home, name="home"),
    path("healthz", pages.healthz, name="healthz"),
    path("favicon.ico", pages.favicon),
    path("about/", pages.about, name="about"),
    path("admin/", admin.site.urls),
    # allauth: log-in, log-out, e-mail confirmation, password change and reset, e-mail, two-factor (2fa/).
    path("accounts/signup/", accounts.signup, name="account_signup"),
    path("accounts/delete/", organisations.account_delete, name="account_delete"),
    path("accounts/", include("allauth.urls")),
    # The header's language switcher posts to Django's set_language (i18n/setlang/).
    path("i18n/", include("django.conf.urls.i18n")),
    path("dashboard/", organisations.dashboard, name="dashboard"),
    path("portfolio/", organisations.portfolio, name="portfolio"),
    path("portfolio/exports/", reports.bulk_export, name="bulk_export"),
    path("portfolio/exports/<uuid:pk>/", reports.bulk_export_status, name="bulk_export_status"),
    path("portfolio/exports/<uuid:pk>/download/", reports.bulk_export_download, name="bulk_export_download"),
    path("invitations/<str:token>/", organisations.invitation_accept, name="invitation_accept"),
    path("orgs/<uuid:pk>/", organisations.organisation_detail, name="organisation_detail"),
    path("orgs/<uuid:pk>/invite/", organisations.invitation_create, name="invitation_create"),
    path(
        "orgs/<uuid:pk>/members/<int:membership_pk>/remove/", organisations.membership_remove, name="membership_remove"
    ),
    path(
        "orgs/<uuid:pk>/members/<int:membership_pk>/role/",
        organisations.membership_role_change,
        name="membership_role_change",
    ),
    path("orgs/<uuid:pk>/grants/", organisations.grant_create, name="grant_create"),
    path("orgs/<uuid:pk>/grants/<uuid:grant_pk>/revoke/", organisations.grant_revoke, name="grant_revoke"),
    path("orgs/<uuid:pk>/clients/new/", organisations.client_create, name="client_create"),
    path("orgs/<uuid:pk>/branding/", reports.branding_upload, name="branding_upload"),
    path("orgs/<uuid:pk>/edit/", organisations.organisation_edit, name="organisation_edit"),
    path("orgs/<uuid:pk>/mfa/", accounts.organisation_mfa_rule, name="organisation_mfa_rule"),
    path("orgs/<uuid:pk>/delete/", organisations.organisation_delete, name="organisation_delete"),
    path("orgs/<uuid:pk>/assessments/new/", assessments.assessment_create, name="assessment_create"),
    path("orgs/<uuid:pk>/assessments/import/", assessments.assessment_import_view, name="assessment_import"),
    path("assessments/<uuid:pk>/", assessments.assessment_detail, name="assessment_detail"),
    path("assessments/<uuid:pk>/profile/", assessments.assessment_profile, name="assessment_profile"),
    path("assessments/<uuid:pk>/sections/<slug:section>/", assessments.assessment_section, name="assessment_section"),
    path(
        "assessments/<uuid:pk>/sections/<slug:section>/answers/<str:code>/",
        assessments.answer_autosave,
        name="answer_autosave",
    ),
    path("assessments/<uuid:pk>/submit/", assessments.assessment_submit, name="assessment_submit"),
    path("assessments/<uuid:pk>/delete/", assessments.assessment_delete, name="assessment_delete"),
    path("assessments/<uuid:pk>/reassess/", assessments.assessment_reassess, name="assessment_reassess"),
    path("assessments/<uuid:pk>/history/", assessments.assessment_history, name="assessment_history"),
    path("assessments/<uuid:pk>/export.json", assessments.assessment_export_json, name="assessment_export_json"),
    path("assessments/<uuid:pk>/results/", results.assessment_results, name="assessment_results"),
    path("assessments/<uuid:pk>/readiness/", results.assessment_readiness, name="assessment_readiness"),
    path("assessments/<uuid:pk>/action-plan.csv", results.action_plan_csv, name="action_plan_csv"),
    path("assessments/<uuid:pk>/report/", reports.report_print, name="report_print"),
    path("assessments/<uuid:pk>/report.pdf", reports.report_pdf, name="report_pdf"),
    path("assessments/<uuid:pk>/report-status/", reports.report_pdf_status, name="report_pdf_status"),
    # The AI-system workspace (docs/workspace.md): inventory, risk impact assessments, actions, evidence.
    path("orgs/<uuid:pk>/systems/", systems.system_list, name="system_list"),
    path("orgs/<uuid:pk>/systems/new/", systems.system_create, name="system_create"),
    path("orgs/<uuid:pk>/systems/import/", systems.system_import, name="system_import"),
    path("orgs/<uuid:pk>/systems/export.csv", systems.system_export_csv, name="system_export_csv"),
    path("orgs/<uuid:pk>/systems/export.xlsx", systems.system_export_xlsx, name="system_export_xlsx"),
    path("systems/<uuid:pk>/", systems.system_detail, name="system_detail"),
    path("systems/<uuid:pk>/edit/", systems.system_edit, name="system_edit"),
    path("systems/<uuid:pk>/delete/", systems.system_delete, name="system_delete"),
    path("systems/<uuid:pk>/assessments/new/", assessments.system_assessment_create, name="system_assessment_create"),
    path("systems/<uuid:pk>/risk/new/", risk.risk_assessment_start, name="risk_assessment_start"),
    path("risk-assessments/<uuid:pk>/", risk.risk_assessment, name="risk_assessment"),
    path("risk-assessments/<uuid:pk>/submit/", risk.risk_assessment_submit, name="risk_assessment_submit"),
    path("orgs/<uuid:pk>/actions/", actions.action_list, name="action_list"),
    path("orgs/<uuid:pk>/actions/export.csv", actions.action_export_csv, name="action_export_csv"),
    path("orgs/<uuid:pk>/actions/export.xlsx", actions.action_export_xlsx, name="action_export_xlsx"),
    path("assessments/<uuid:pk>/actions/new/", actions.action_create, name="action_create"),
    path("actions/<uuid:pk>/", actions.action_detail, name="action_detail"),
    path("orgs/<uuid:pk>/evidence/", evidence.evidence_library, name="evidence_library"),
    path("evidence/<uuid:pk>/", evidence.evidence_download, name="evidence_download"),
    path("evidence/<uuid:pk>/delete/", evidence.evidence_delete, name="evidence_delete"),
    path("assessments/<uuid:pk>/answers/<str:code>/evidence/", evidence.answer_evidence, name="answer_evidence"),
]
