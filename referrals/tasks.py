"""Celery tasks for sending referrals and for the directory's imports: thin, idempotent, named,
taking ids only."""

from celery import shared_task

from . import services_delivery
from .oruk import syncing

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


# --- The directory's imports and feeds --------------------------------------------------------

#: Reading a feed of 2,000 services politely takes minutes, not the default task's one.
_IMPORTING = {
    "ignore_result": True,
    "soft_time_limit": 30 * 60,
    "time_limit": 32 * 60,
}


@shared_task(name="referrals.run_directory_import", **_IMPORTING)
def run_directory_import(import_id: int) -> str:
    """Run one directory import (an admin's check, or the save they confirmed) by its id."""
    return syncing.directory_import_run_by_id(import_id)


@shared_task(name="referrals.sync_directory_feeds", ignore_result=True)
def sync_directory_feeds() -> int | None:
    """Hand each registered feed whose schedule is due to the worker, once."""
    return syncing.directory_feeds_sweep()


@shared_task(name="referrals.sync_directory_feed", **_IMPORTING)
def sync_directory_feed(feed_id: int, requested_by_id: int | None = None) -> str:
    """Import one feed and tell its admins what needs them; nothing if it is syncing already."""
    run = syncing.directory_feed_sync(feed_id=feed_id, requested_by_id=requested_by_id)
    return run.outcome if run is not None else "not run"
