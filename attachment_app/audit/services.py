"""Writes to the audit log."""

from collections.abc import Iterable

from django.db import models

from .models import AccessLog


def access_record(
    *,
    actor,
    outside_party: str = "",
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    action: str = AccessLog.Action.VIEW,
    family_ids: Iterable[int] = (),
    detail: str = "",
) -> AccessLog:
    """Record that ``actor`` was shown ``obj`` (or the record named by type and id), and which
    families' data that showed. ``actor`` is None for someone outside the staff, named by
    ``outside_party`` instead."""
    if obj is not None:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    return AccessLog.objects.create(
        user=actor,
        outside_party=outside_party,
        action=action,
        object_type=object_type,
        object_id=object_id,
        family_ids=sorted({int(family_id) for family_id in family_ids}),
        detail=detail[:200],
    )
