"""Accounts that existed before e-mail confirmation keep working: their address counts as confirmed.

Before django-allauth, every account logged in with the address it signed up with, and invitations and consultant
grants went to that address. Each existing account with an address gets it as its primary, confirmed allauth
address (in lower case, which is how allauth compares addresses). Deleted accounts keep no address and get none.
Should two accounts share an address in different letter case, only the one that joined first counts as
confirmed: the other must confirm it (or reset its password) before it can log in.
"""

from django.conf import settings
from django.db import migrations


def confirm_existing_addresses(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    EmailAddress = apps.get_model("account", "EmailAddress")
    confirmed = {email.lower() for email in EmailAddress.objects.filter(verified=True).values_list("email", flat=True)}
    for user in User.objects.exclude(email="").order_by("date_joined", "pk").iterator():
        email = user.email.strip().lower()
        if not email or EmailAddress.objects.filter(user=user, email__iexact=email).exists():
            continue
        verified = email not in confirmed
        EmailAddress.objects.create(
            user=user,
            email=email,
            verified=verified,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
        if verified:
            confirmed.add(email)


class Migration(migrations.Migration):
    dependencies = [
        ("scorecard", "0003_organisation_mfa"),
        ("account", "0009_emailaddress_unique_primary_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(confirm_existing_addresses, migrations.RunPython.noop)]
