"""Around the import: the admin's check-then-save, registered feeds and their scheduled sync.

The import itself is ``importing.py``; this module decides when it runs and who hears of it.
Every run happens in the worker, by id, so a slow feed never holds a web request:

- an admin's check (a dry run) and the save they confirm are ``DirectoryImport`` rows handed to
  ``referrals.run_directory_import``; a check is confirmed once, however often it is sent;
- the hourly sweep hands each due feed to ``referrals.sync_directory_feed`` once, marking it
  enqueued in the same transaction (a second sweep in the same hour finds nothing to do);
- a sync holds a PostgreSQL advisory lock on its feed for as long as it runs, so a second sync
  of the same feed (a "Sync now" pressed while the schedule's runs) returns without running;
- after a sync, the feed's chosen admins are told when records were refused, the feed could
  not be read, or services were retired because they left the feed.
"""

import datetime
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from attachment_app import permissions
from attachment_app.accounts.models import User
from attachment_app.reminders.services import notifications_send

from ..models import DirectoryFeed, DirectoryImport
from .fetching import FeedError, check_feed_url, parse_json
from .importing import directory_import_confirm, directory_import_run, directory_import_start

logger = logging.getLogger(__name__)

#: The first key of the two-key advisory locks: one sync per feed, one run per import.
FEED_LOCK = 0x5EED_0015
IMPORT_LOCK = 0x5EED_0016
#: And one sweep of the feeds at a time.
SWEEP_LOCK = 0x5EED_0017
#: A sync enqueued longer ago than this and not yet run is taken as a lost message.
REENQUEUE_AFTER = datetime.timedelta(hours=3)


def _check_may_manage(actor: User) -> None:
    if not permissions.may_manage_directory(actor):
        raise PermissionDenied("Only admins manage the directory's feeds and imports.")


@contextmanager
def _held(key: int, pk: int) -> Iterator[bool]:
    """A session-level advisory lock on (key, pk) if free, released on the way out."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [key, pk])
        (locked,) = cursor.fetchone()
    try:
        yield locked
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [key, pk])


def _enqueue(task: str, *args: int | None) -> None:
    """Hand a run to the worker (after commit); a broker that is down is logged, not raised."""
    from .. import tasks

    try:
        getattr(tasks, task).delay(*args)
    except Exception as error:
        logger.warning("The broker refused %s%r (%r)", task, args, error)


# --- The admin's import: check, then save -----------------------------------------------------


def directory_import_check(
    *, actor: User, source: str = "", upload: bytes | None = None, file_name: str = ""
) -> DirectoryImport:
    """Start a check (a dry run) of a feed's address or an uploaded JSON file, in the worker."""
    _check_may_manage(actor)
    source = source.strip()
    if bool(source) == (upload is not None):
        message = (
            "Enter a feed's address or choose a file, not both"
            if source
            else "Enter a feed's address or choose a JSON file of services"
        )
        raise ValidationError({"source": message})
    if upload is not None:
        if len(upload) > settings.ORUK_FEED_MAX_BYTES:
            limit = settings.ORUK_FEED_MAX_BYTES // (1024 * 1024)
            raise ValidationError({"upload": f"The file must be smaller than {limit} MB"})
        try:
            parse_json(upload, where="The file", max_bytes=settings.ORUK_FEED_MAX_BYTES)
        except FeedError as error:
            raise ValidationError({"upload": str(error).rstrip(".")}) from None
        run = directory_import_start(actor=actor, source=file_name, upload=upload, dry_run=True)
    else:
        run = directory_import_start(actor=actor, source=source, dry_run=True)
    transaction.on_commit(partial(_enqueue, "run_directory_import", run.pk))
    return run


@transaction.atomic
def directory_import_save(*, actor: User, checked: DirectoryImport) -> DirectoryImport:
    """Save what a check found, in the worker: once per check, however often it is confirmed."""
    _check_may_manage(actor)
    checked = DirectoryImport.objects.select_for_update().get(pk=checked.pk)
    if checked.confirmed_as is not None:
        return checked.confirmed_as
    run = directory_import_confirm(actor=actor, checked=checked)
    checked.confirmed_as = run
    # The file waits on the import that saves it now, not on the check as well.
    checked.upload = None
    checked.save(update_fields=["confirmed_as", "upload"])
    transaction.on_commit(partial(_enqueue, "run_directory_import", run.pk))
    return run


def directory_import_run_by_id(import_id: int) -> str:
    """Run one import, unless another worker already runs it (a message delivered twice)."""
    with _held(IMPORT_LOCK, import_id) as locked:
        if not locked:
            return "already running"
        run = DirectoryImport.objects.filter(pk=import_id).first()
        if run is None:
            return "gone"
        return directory_import_run(run=run).outcome


# --- Feeds ------------------------------------------------------------------------------------


def directory_feed_save(
    *,
    actor: User,
    feed: DirectoryFeed | None,
    name: str,
    url: str,
    schedule: str,
    notify: Sequence[User],
) -> DirectoryFeed:
    """Register a feed, or change one: its name, address, schedule and the admins told."""
    _check_may_manage(actor)
    try:
        url = check_feed_url(url, https_only=settings.ORUK_FEED_HTTPS_ONLY)
    except ValueError as error:
        raise ValidationError({"url": str(error).rstrip(".")}) from None
    others = DirectoryFeed.objects.all()
    if feed is not None:
        others = others.exclude(pk=feed.pk)
    problems = {}
    if others.filter(name__iexact=name.strip()).exists():
        problems["name"] = "Another feed has this name"
    if others.filter(url=url).exists():
        problems["url"] = "This feed is registered already"
    if [user for user in notify if not permissions.is_admin(user)]:
        problems["notify"] = "Choose admins only"
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        feed = feed or DirectoryFeed()
        feed.name, feed.url, feed.schedule = name.strip(), url, schedule
        feed.full_clean(exclude=["notify"])
        feed.save()
        feed.notify.set(notify)
    return feed


def directory_feed_sync_request(*, actor: User, feed: DirectoryFeed) -> DirectoryFeed:
    """Sync a feed now, in the worker, whatever its schedule."""
    _check_may_manage(actor)
    DirectoryFeed.objects.filter(pk=feed.pk).update(sync_enqueued_at=timezone.now())
    transaction.on_commit(partial(_enqueue, "sync_directory_feed", feed.pk, actor.pk))
    return feed


def _due(now: datetime.datetime) -> Q:
    """Feeds whose interval has passed since their last run, and not already waiting for one."""
    schedules = Q()
    for schedule, days in ((DirectoryFeed.Schedule.DAILY, 1), (DirectoryFeed.Schedule.WEEKLY, 7)):
        # A little early is on time: the sweep runs hourly, so "a day" is never 25 hours.
        ran_long_ago = Q(last_run_at__lte=now - datetime.timedelta(days=days, minutes=-5))
        schedules |= Q(schedule=schedule) & (Q(last_run_at__isnull=True) | ran_long_ago)
    waiting = Q(sync_enqueued_at__isnull=False) & Q(sync_enqueued_at__gt=now - REENQUEUE_AFTER)
    waiting &= Q(last_run_at__isnull=True) | Q(sync_enqueued_at__gt=F("last_run_at"))
    return schedules & ~waiting


def directory_feeds_sweep(*, enqueue: Callable[[int], object] | None = None) -> int | None:
    """Hand each due feed to the worker once; None when another sweep is running."""
    now = timezone.now()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [SWEEP_LOCK])
            (locked,) = cursor.fetchone()
        if not locked:
            return None
        ids = list(DirectoryFeed.objects.filter(_due(now)).values_list("pk", flat=True))
        DirectoryFeed.objects.filter(pk__in=ids).update(sync_enqueued_at=now)
        for feed_id in ids:
            if enqueue is None:
                transaction.on_commit(partial(_enqueue, "sync_directory_feed", feed_id, None))
            else:
                transaction.on_commit(partial(enqueue, feed_id))
    return len(ids)


def directory_feed_sync(
    *, feed_id: int, requested_by_id: int | None = None
) -> DirectoryImport | None:
    """Import a feed, saving its changes, unless a sync of it is running already (then None)."""
    with _held(FEED_LOCK, feed_id) as locked:
        if not locked:
            logger.info("directory feed %s: a sync is running already", feed_id)
            return None
        feed = DirectoryFeed.objects.filter(pk=feed_id).first()
        if feed is None:
            return None
        requested_by = User.objects.filter(pk=requested_by_id).first() if requested_by_id else None
        DirectoryFeed.objects.filter(pk=feed.pk).update(last_run_at=timezone.now())
        try:
            run = directory_import_start(actor=requested_by, feed=feed, source="", dry_run=False)
        except ValidationError as error:
            # An address that no longer passes (https only, say): kept as a failed run.
            run = DirectoryImport.objects.create(
                feed=feed,
                source=feed.url,
                requested_by=requested_by,
                outcome=DirectoryImport.Outcome.FAILED,
                finished_at=timezone.now(),
                report={"source": feed.url, "feed_problems": error.messages, "services": []},
            )
        else:
            run = directory_import_run(run=run)
        _tell_about(feed, run)
        return run


def _tell_about(feed: DirectoryFeed, run: DirectoryImport) -> None:
    """Tell the feed's admins what in this sync needs them; nothing when nothing does."""
    counts = run.report.get("counts", {})
    if run.outcome == DirectoryImport.Outcome.FAILED:
        title = f"The feed {feed.name} could not be read: nothing was saved"
    elif run.outcome == DirectoryImport.Outcome.REFUSED:
        refused = counts.get("refused", 0)
        title = f"The feed {feed.name} has {_services(refused, 'refused')}: nothing was saved"
    elif counts.get("retired"):
        title = f"{_services(counts['retired'], 'retired')}: they left the feed {feed.name}"
    else:
        return
    recipients = [user for user in feed.notify.filter(is_active=True) if permissions.is_admin(user)]
    if recipients:
        link = reverse("directory_import_detail", args=[run.pk])
        notifications_send(recipients=recipients, title=title, link=link)


def _services(count: int, done: str) -> str:
    return f"{count} service{'s' if count != 1 else ''} {done}"
