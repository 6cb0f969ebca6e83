"""Celery tasks for sending referrals to services: thin, idempotent, named, taking ids only."""

from celery import shared_task

from . import services_delivery

_RETRIED = {
    "ignore_result": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="referrals.send_referral_email", **_RETRIED)
def send_referral_email(delivery_id: int) -> str:
    """Email a referral to its service at most once, then mark it sent; retried on failure."""
    return services_delivery.delivery_send(delivery_id)


@shared_task(name="referrals.send_service_link", **_RETRIED)
def send_service_link(link_id: int) -> str:
    """Email a re-issued link to the service at most once; retried on failure."""
    return services_delivery.link_email_send(link_id)


@shared_task(name="referrals.sweep_deliveries", ignore_result=True)
def sweep_deliveries() -> int:
    """Hand the worker again every referral email whose message may have been lost."""
    return services_delivery.deliveries_sweep()
