"""The ten interventions of Wright et al. 2023 and the directory's service categories.

Evidence levels: Wright B, et al. Interventions for children with attachment difficulties: a
survey and systematic review. Health Technol Assess 2023;27(2); as summarised in the NIHR
Evidence alert "Which attachment interventions are supported by research?". Descriptions are
our own short summaries. Admins can change both in the Django admin.
"""

from django.db import migrations

SOURCE = "Wright et al. 2023, Health Technol Assess 27(2)"

INTERVENTIONS = [
    (
        "vipp-sd",
        "Video-feedback Intervention to promote Positive Parenting and Sensitive Discipline "
        "(VIPP-SD)",
        "strong",
        "Short films of everyday moments at home are watched with the parent, picking out the "
        "times the parent noticed and met the child's signals. A handful of home visits.",
    ),
    (
        "abc",
        "Attachment and Biobehavioural Catch-up (ABC)",
        "strong",
        "About ten home sessions in which a coach comments in the moment on how the parent "
        "follows the baby's lead and offers comfort.",
    ),
    (
        "circle-of-security",
        "Circle of Security",
        "strong",
        "Mostly in groups: parents learn what children need from them at different moments and "
        "reflect on how their own upbringing shapes their responses.",
    ),
    (
        "parent-infant-psychotherapy",
        "Parent–infant psychotherapy",
        "strong",
        "A therapist sees the parent and baby (under two) together to work through what gets in "
        "the way of the parent's caregiving.",
    ),
    (
        "child-parent-psychotherapy",
        "Child–parent psychotherapy",
        "intermediate",
        "Therapy with the child (birth to five) and carer together, often after frightening "
        "experiences, to rebuild a sense of safety in the relationship.",
    ),
    (
        "vig",
        "Video Interaction Guidance (VIG)",
        "intermediate",
        "A practitioner films an interaction the family finds hard and reviews the clips with the "
        "parent, building on the moments that went well. Less structured than VIPP-SD.",
    ),
    (
        "ddp",
        "Dyadic Developmental Psychotherapy",
        "weak",
        "A talking therapy with the child and carer, mostly for fostered or adopted children, "
        "exploring past experiences.",
    ),
    (
        "watch-wait-wonder",
        "Watch, Wait and Wonder",
        "weak",
        "The parent follows the child's play while a practitioner helps them wonder about what "
        "the child is thinking and feeling.",
    ),
    (
        "theraplay",
        "Theraplay",
        "weak",
        "Structured play between carer and child, guided by a practitioner, to strengthen their "
        "relationship.",
    ),
    (
        "individual-child-psychotherapy",
        "Individual child psychotherapy",
        "weak",
        "Therapy for the child alone that does not focus on attachment. No study meeting the "
        "review's criteria supported it.",
    ),
]

#: Service categories (taxonomy terms) and the concern categories they can help with.
TERMS = [
    (
        "parent-infant-relationship",
        "Parent–infant relationship support",
        ["relationship_bonding", "baby_cues_behaviour"],
    ),
    ("perinatal-mental-health", "Perinatal mental health", ["parental_mental_health"]),
    ("primary-care", "GP and primary care", ["parental_mental_health", "substance_use"]),
    (
        "family-support",
        "Family support and early help",
        ["family_stress_support", "feeding_sleep_crying"],
    ),
    ("infant-feeding", "Infant feeding, sleep and crying", ["feeding_sleep_crying"]),
    (
        "parenting-programme",
        "Parenting programmes",
        ["relationship_bonding", "baby_cues_behaviour", "family_stress_support"],
    ),
    (
        "information",
        "Information and advice for parents",
        ["feeding_sleep_crying", "baby_cues_behaviour", "family_stress_support"],
    ),
    ("domestic-abuse", "Domestic abuse support", ["domestic_abuse"]),
    ("substance-use", "Drug and alcohol support", ["substance_use"]),
    ("safeguarding", "Children's social care", ["safeguarding", "domestic_abuse"]),
]


def add(apps, schema_editor):
    Intervention = apps.get_model("referrals", "Intervention")
    TaxonomyTerm = apps.get_model("referrals", "TaxonomyTerm")
    ConcernCategory = apps.get_model("screening", "ConcernCategory")
    for code, name, level, description in INTERVENTIONS:
        Intervention.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "evidence_level": level,
                "description": description,
                "evidence_source": SOURCE,
            },
        )
    for code, name, categories in TERMS:
        term, _ = TaxonomyTerm.objects.update_or_create(code=code, defaults={"name": name})
        term.concern_categories.set(ConcernCategory.objects.filter(code__in=categories))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("screening", "0002_concern_categories")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
