"""Writes to the audit log."""

from django.db import models

from .models import AccessLog


def access_record(*, actor, obj: models.Model, action: str = AccessLog.Action.VIEW, detail=""):
    """Record that ``actor`` opened ``obj``."""
    return AccessLog.objects.create(
        user=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        detail=detail,
    )
