"""The interventions' evidence source named in full, as the health visitor reads it under an
evidence tag. Only rows still holding the abbreviation migration 0002 wrote are changed, so a
source an admin has edited stays as it is."""

from django.db import migrations

OLD = "Wright et al. 2023, Health Technol Assess 27(2)"
NEW = "Wright et al. 2023, NIHR Health Technology Assessment 27(2)"


def spell_out(apps, schema_editor):
    Intervention = apps.get_model("referrals", "Intervention")
    Intervention.objects.filter(evidence_source=OLD).update(evidence_source=NEW)


def abbreviate(apps, schema_editor):
    Intervention = apps.get_model("referrals", "Intervention")
    Intervention.objects.filter(evidence_source=NEW).update(evidence_source=OLD)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_referral_consent_details_and_event_concerns")]

    operations = [migrations.RunPython(spell_out, abbreviate)]
