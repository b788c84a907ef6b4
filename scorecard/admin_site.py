"""The admin site: content tables first, then organisations and assessments, then lockouts, accounts, tasks."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

APP_ORDER = ["frameworks", "scorecard"]  # anything else (auth, axes, tasks, allauth) comes after, by name


class ScorecardAdminSite(admin.AdminSite):
    site_header = _("ASEAN AI Scorecard administration")
    site_title = _("ASEAN AI Scorecard admin")

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        rank = {label: i for i, label in enumerate(APP_ORDER)}
        return sorted(apps, key=lambda app: (rank.get(app["app_label"], len(APP_ORDER)), str(app["name"])))


class ScorecardAdminConfig(AdminConfig):
    """Replaces "django.contrib.admin" in INSTALLED_APPS so that the site above is the default one."""

    default_site = "scorecard.admin_site.ScorecardAdminSite"
