"""Issue 17: lists read an assessment's score and level from columns, not from its results snapshot; cached PDFs
and bulk-export zips move from database rows to the "reports" storage; zips expire."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import migrations, models
from django.utils import timezone


def copy_overall_scores(apps, schema_editor):
    Assessment = apps.get_model("scorecard", "Assessment")
    submitted = Assessment.objects.filter(results__isnull=False).only("pk", "results")
    for assessment in submitted.iterator(chunk_size=200):
        overall = (assessment.results or {}).get("overall") or {}
        Assessment.objects.filter(pk=assessment.pk).update(
            overall_score=overall.get("score"), overall_level=overall.get("level")
        )


def move_archives_to_storage(apps, schema_editor):
    """Zips ready before the upgrade stay downloadable for the usual time; cached PDFs are only a cache and go."""
    BulkExport = apps.get_model("scorecard", "BulkExport")
    for export in BulkExport.objects.filter(status="done").exclude(archive__isnull=True).iterator(chunk_size=20):
        name = storages["reports"].save(f"exports/{export.pk}.zip", ContentFile(bytes(export.archive)))
        BulkExport.objects.filter(pk=export.pk).update(
            archive_name=name, expires_at=timezone.now() + timedelta(days=7)
        )


class Migration(migrations.Migration):
    dependencies = [("scorecard", "0005_owner_grants_become_editor_grants")]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="overall_score",
            field=models.FloatField(blank=True, editable=False, null=True, verbose_name="overall score"),
        ),
        migrations.AddField(
            model_name="assessment",
            name="overall_level",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="overall maturity level"
            ),
        ),
        migrations.RunPython(copy_overall_scores, migrations.RunPython.noop, elidable=True),
        migrations.AddField(
            model_name="bulkexport",
            name="archive_name",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="bulkexport",
            name="expires_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name="bulkexport",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Rendering"),
                    ("zipping", "Bundling the zip"),
                    ("done", "Ready to download"),
                    ("failed", "Failed"),
                    ("expired", "Expired"),
                ],
                default="queued",
                max_length=10,
            ),
        ),
        migrations.RunPython(move_archives_to_storage, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="bulkexport", name="archive"),
        migrations.RunSQL("DELETE FROM scorecard_renderedreport", migrations.RunSQL.noop),
        migrations.RemoveField(model_name="renderedreport", name="pdf"),
        migrations.AddField(
            model_name="renderedreport",
            name="file",
            field=models.CharField(default="", max_length=255),
            preserve_default=False,
        ),
    ]
