from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScorecardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scorecard"
    verbose_name = _("Scorecard")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)
