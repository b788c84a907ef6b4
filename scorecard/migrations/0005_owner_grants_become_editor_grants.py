"""Grants that a consultancy gave itself on clients it created used to be owner-level. The access rules now cap
a consultant at editor (docs/roles.md); this stores what they already mean, so pages show "Editor"."""

from django.db import migrations


def owner_grants_to_editor(apps, schema_editor):  # type: ignore[no-untyped-def]
    ConsultantGrant = apps.get_model("scorecard", "ConsultantGrant")
    ConsultantGrant.objects.filter(role="owner").update(role="editor")


class Migration(migrations.Migration):
    dependencies = [("scorecard", "0004_existing_emails_verified")]

    operations = [migrations.RunPython(owner_grants_to_editor, migrations.RunPython.noop)]
