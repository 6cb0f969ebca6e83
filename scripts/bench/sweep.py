"""The reminder sweep and the delivery rate, at a million reminder rows.

Run in a process of its own with Django set up on one database, as production runs the sweep:

1. ``COPY`` puts ``--rows`` reminders in the table, ``--due`` of them due now and the rest
   already sent, cancelled or due later, as a year of use leaves them.
2. ``reminders_sweep()`` is timed: it claims the due rows (marks them enqueued) in batches and
   hands each one to Redis, the real broker, after its transaction commits.
3. Two Celery worker processes (``-c 1`` each) send them, for a minute at most; the rate is
   the number they finished over the time from their first claim to their last finish, read
   from the rows.
4. The rows and notifications the benchmark made are deleted, and the messages left in the
   queue dropped, so the database and Redis are as they were.

The due reminders are "not acknowledged in time" reminders of referrals sent to a service
(stage 3 and up, which the app itself never makes), so each one is sent for real: the rule
re-reads the referral, notifies its health visitor and the team leads, and emails them (into
memory: no mail server is measured). With no sent referral in the database they point at
referrals that do not exist, and the workers cancel them instead.

    DATABASE_URL=… BENCH_OWNER_URL=… python -m scripts.bench.sweep --rows N --due N
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
from pathlib import Path

FILLER_RULE = "bench.filler"
#: The app's own reminders of a sending have stages 1 and 2; the benchmark's start above.
FIRST_BENCH_STAGE = 3
COLUMNS = (
    "rule",
    "subject_type",
    "subject_id",
    "key",
    "stage",
    "due_at",
    "status",
    "enqueued_at",
    "claimed_at",
    "sent_at",
    "cancelled_at",
    "attempts",
    "last_error",
    "created_at",
)
BASE_DIR = Path(__file__).resolve().parents[2]


def clean_up(owner_url: str) -> int:
    """Delete what an earlier benchmark left (its rows, their notifications); return how many
    reminders."""
    import psycopg

    marks = {"filler": FILLER_RULE, "stage": FIRST_BENCH_STAGE}
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute(
            "DELETE FROM reminders_notification WHERE reminder_id IN (SELECT id FROM "
            "reminders_reminder WHERE rule = %(filler)s OR (rule = 'referral.response' "
            "AND subject_type = 'referrals.referral' AND stage >= %(stage)s))",
            marks,
        )
        deleted = conn.execute(
            "DELETE FROM reminders_reminder WHERE rule = %(filler)s OR (rule = "
            "'referral.response' AND subject_type = 'referrals.referral' AND stage >= %(stage)s)",
            marks,
        ).rowcount
        conn.execute("VACUUM ANALYZE reminders_reminder")
        conn.execute("VACUUM ANALYZE reminders_notification")
    return deleted


def fill(owner_url: str, *, rows: int, due: int) -> dict:
    """COPY ``rows`` reminders into the table, ``due`` of them due now."""
    import psycopg
    from django.utils import timezone

    from referrals.models import Referral
    from referrals.workflow import Status

    now = timezone.now()
    sent = list(
        Referral.objects.filter(status=Status.SENT, sent_at__isnull=False)
        .order_by("pk")
        .values_list("pk", "sent_at")
    )
    subjects = sent or [(10**12 + n, now) for n in range(1000)]
    started = time.monotonic()
    with psycopg.connect(owner_url) as conn, conn.cursor() as cursor:
        copy_sql = f"COPY reminders_reminder ({', '.join(COLUMNS)}) FROM STDIN"
        with cursor.copy(copy_sql) as copy:
            for n in range(due):
                pk, sent_at = subjects[n % len(subjects)]
                at = now - datetime.timedelta(minutes=1 + n % 10_000)
                stage = FIRST_BENCH_STAGE + n // len(subjects)
                copy.write_row(
                    ("referral.response", "referrals.referral", pk, sent_at.isoformat(), stage,
                     at, "pending", None, None, None, None, 0, "", at)
                )  # fmt: skip
            for n in range(rows - due):
                # Of the rest: 85 in 100 sent, 5 cancelled, 10 due later (up to two years on).
                kind = n % 100
                if kind < 85:
                    at = now - datetime.timedelta(minutes=10 + n % 1_000_000)
                    status, done, cancelled = "sent", at, None
                elif kind < 90:
                    at = now - datetime.timedelta(minutes=10 + n % 1_000_000)
                    status, done, cancelled = "cancelled", None, at
                else:
                    at = now + datetime.timedelta(minutes=60 + n % 1_000_000)
                    status, done, cancelled = "pending", None, None
                copy.write_row(
                    (FILLER_RULE, "bench.subject", n, "", 1, at, status, None, None, done,
                     cancelled, 1 if done else 0, "", at)
                )  # fmt: skip
        conn.commit()
        cursor.execute("ANALYZE reminders_reminder")
    return {
        "rows": rows,
        "due": due,
        "sent_referrals": len(sent),
        "copy_seconds": round(time.monotonic() - started, 1),
    }


def time_sweep() -> dict:
    """Run the sweep once with the real broker; return how long it took, of which how long the
    hand-over to Redis took, and how many it enqueued."""
    from attachment_app.celery import app
    from attachment_app.reminders import services
    from attachment_app.reminders.tasks import send_reminder

    app.control.purge()
    handing = [0.0]

    def enqueue(reminder_id: int) -> None:
        started = time.perf_counter()
        send_reminder.delay(reminder_id)
        handing[0] += time.perf_counter() - started

    started = time.perf_counter()
    enqueued = services.reminders_sweep(enqueue=enqueue)
    seconds = time.perf_counter() - started
    return {
        "sweep_seconds": round(seconds, 3),
        "enqueue_seconds": round(handing[0], 3),
        "enqueued": enqueued,
    }


def deliver(due: int, *, workers: int, seconds: float) -> dict:
    """Start the workers and let them send for up to ``seconds`` (or until every due reminder
    is sent or cancelled), then stop them and count."""
    from django.db.models import Max, Min, Q

    from attachment_app.reminders.models import Reminder

    bench = Reminder.objects.filter(
        rule="referral.response",
        subject_type="referrals.referral",
        stage__gte=FIRST_BENCH_STAGE,
    )
    log_dir = BASE_DIR / "var" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    processes = []
    for n in range(workers):
        log = (log_dir / f"worker-{n + 1}.log").open("w")
        command = [sys.executable, "-m", "celery", "-A", "attachment_app", "worker"]
        command += ["-c", "1", "-n", f"bench{n + 1}@%h", "--loglevel", "WARNING"]
        processes.append(
            subprocess.Popen(command, cwd=BASE_DIR, stdout=log, stderr=log, start_new_session=True)
        )
    deadline = None
    booting = time.monotonic() + 120
    try:
        while deadline is None or time.monotonic() < deadline:
            left = bench.filter(status__in=["pending", "claimed"]).count()
            if left == 0:
                break
            if deadline is None and left < due:
                # The time allowed starts at the first claim, not while the workers boot.
                deadline = time.monotonic() + seconds
            if deadline is None and time.monotonic() > booting:
                raise SystemExit(f"The workers claimed nothing in 2 minutes; see {log_dir}")
            if any(process.poll() is not None for process in processes):
                raise SystemExit(f"A worker stopped; see {log_dir}/worker-*.log")
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
    window = bench.exclude(claimed_at__isnull=True).aggregate(
        first=Min("claimed_at"), last_sent=Max("sent_at"), last_cancelled=Max("cancelled_at")
    )
    finished = [moment for moment in (window["last_sent"], window["last_cancelled"]) if moment]
    taken = (max(finished) - window["first"]).total_seconds() if finished else None
    count = bench.filter(Q(status="sent") | Q(status="cancelled")).count()
    return {
        "workers": workers,
        "delivered": bench.filter(status="sent").count(),
        "cancelled": bench.filter(status="cancelled").count(),
        "left": due - count,
        "delivery_seconds": round(taken, 2) if taken else None,
        "per_second": round(count / taken, 1) if taken else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.bench.sweep")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--delivery-seconds",
        type=float,
        default=60,
        help="how long the workers may send before the rate is taken (from their first claim)",
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attachment_app.settings")
    import django

    django.setup()
    owner_url = os.environ["BENCH_OWNER_URL"]
    clean_up(owner_url)
    try:
        result = fill(owner_url, rows=args.rows, due=args.due)
        result |= time_sweep()
        result |= deliver(args.due, workers=args.workers, seconds=args.delivery_seconds)
    finally:
        from django.db import connections

        from attachment_app.celery import app

        # What the workers had no time for is dropped from the queue with its rows.
        app.control.purge()
        connections.close_all()
        clean_up(owner_url)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
