from django.db import migrations

#: The concern categories the product brief names, in the order HVs see them.
CATEGORIES = [
    ("relationship_bonding", "Parent–infant relationship and bonding"),
    ("parental_mental_health", "Parental mental health"),
    ("baby_cues_behaviour", "Baby's cues and behaviour"),
    ("feeding_sleep_crying", "Feeding, sleep or crying"),
    ("family_stress_support", "Family stress and support"),
    ("domestic_abuse", "Domestic abuse"),
    ("substance_use", "Substance use"),
    ("safeguarding", "Safeguarding"),
]


def add_categories(apps, schema_editor):
    ConcernCategory = apps.get_model("screening", "ConcernCategory")
    for position, (code, name) in enumerate(CATEGORIES, start=1):
        ConcernCategory.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
