"""Files in the "reports" and "evidence" storages follow their rows: deleting a cached report, an export or an
evidence file deletes its file.

Why signals: the rows go in many ways (an organisation or account deleted, a cascade, the cache trimmed, the
cleanup command), and a file left behind would keep a client's report after its owner deleted it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.storage import storages
from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import BulkExport, EvidenceFile, RenderedReport


def _delete_file_after_commit(name: str, storage: str = "reports") -> None:
    if name:
        # After the commit: a rolled-back delete must find its file still there.
        transaction.on_commit(lambda: storages[storage].delete(name))


@receiver(post_delete, sender=RenderedReport)
def delete_cached_pdf(sender: type, instance: RenderedReport, **kwargs: Any) -> None:
    _delete_file_after_commit(instance.file)


@receiver(post_delete, sender=BulkExport)
def delete_export_archive(sender: type, instance: BulkExport, **kwargs: Any) -> None:
    _delete_file_after_commit(instance.archive_name)


@receiver(post_delete, sender=EvidenceFile)
def delete_evidence_file(sender: type, instance: EvidenceFile, **kwargs: Any) -> None:
    # Also when an organisation is deleted: its library goes with it, file by file.
    _delete_file_after_commit(instance.stored_name, "evidence")
