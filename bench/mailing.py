"""Benchmark the mailing list: queueing a campaign to 100,000 subscribers, then delivering it.

Usage, from the project root: .venv/bin/python -m bench.mailing [--subscribers 100000]
       [--deliver 20000] [--queue-batch 500] [--outbox-batch 100] [--keep]
See bench/README.md ("Mailing list") for what is measured and why.

Everything happens in a fresh SQLite file in a temporary folder (removed at the end unless
--keep) and on loopback: the SMTP sink is aiosmtpd in a child process (this same module with
--sink), so that its work does not share this process's interpreter lock.
"""

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, literal, select

from bench.data import sqlite_url
from cta_learning import create_app
from cta_learning.community.mailing.campaigns import queue_batch, schedule
from cta_learning.community.mailing.models import Campaign, Subscriber, SubscriberTopic
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.delivery import deliver_due

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_PATH = PROJECT_ROOT / "bench" / "results" / "mailing.json"
HOST = "127.0.0.1"
LANGUAGES = ("en", "fr", "es")
INSERT_CHUNK = 5_000
CHECKPOINT = 10_000  # queued messages between two measures
DELIVERY_CHECKPOINT = 5_000
SUBJECTS = {
    "en": "The Call's news: Global Refugee Forum, new peer-learning events",
    "fr": "Les nouvelles de l'Appel : Forum mondial sur les réfugiés, nouveaux événements",
    "es": "Noticias del Llamamiento: Foro Mundial sobre los Refugiados, nuevos eventos",
}
PARAGRAPH = {
    "en": "Cities and regions from **{n} countries** met to prepare the pledges they will "
    "present at the [Global Refugee Forum](https://learning.example.org/priorities). "
    "Read what they committed to, and how peers can help.",
    "fr": "Des villes et régions de **{n} pays** se sont réunies pour préparer les "
    "engagements qu'elles présenteront au [Forum mondial sur les réfugiés]"
    "(https://learning.example.org/priorities). Découvrez-les.",
    "es": "Ciudades y regiones de **{n} países** se reunieron para preparar los compromisos "
    "que presentarán en el [Foro Mundial sobre los Refugiados]"
    "(https://learning.example.org/priorities). Descubra cuáles.",
}


def rss_mb() -> float:
    """This process's resident memory now (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _subscriber_rows(count: int, now: datetime) -> Iterator[list[dict]]:
    """Rows in chunks: the list itself never sits in memory whole."""
    for start in range(1, count + 1, INSERT_CHUNK):
        yield [
            {
                "email": f"reader{n:06d}@list{n % 97}.example.org",
                "name": f"Reader {n:06d}",
                "language": LANGUAGES[n % len(LANGUAGES)],
                "status": "subscribed",
                "consent_source": "signup",
                "consented_at": now,
                "opt_in_at": now,
                "opt_in_ip": "192.0.2.1",
                "created_at": now,
                "updated_at": now,
            }
            for n in range(start, min(start + INSERT_CHUNK, count + 1))
        ]


def add_subscribers(count: int) -> float:
    """Subscribed addresses on the "events" topic, a third in each language; seconds taken."""
    started = time.perf_counter()
    now = utcnow()
    with db.engine.begin() as connection:
        for rows in _subscriber_rows(count, now):
            connection.execute(insert(Subscriber.__table__), rows)
        connection.execute(
            insert(SubscriberTopic.__table__).from_select(
                ["subscriber_id", "topic"], select(Subscriber.id, literal("events"))
            )
        )
    return time.perf_counter() - started


def new_campaign() -> int:
    bodies = {
        language: "\n\n".join(text.format(n=n) for n in (12, 31, 47, 58))
        for language, text in PARAGRAPH.items()
    }
    campaign = Campaign(subjects=SUBJECTS, bodies=bodies, topics=["events"], audience="subscribers")
    db.session.add(campaign)
    db.session.flush()
    schedule(campaign, utcnow(), None)
    db.session.commit()
    return campaign.id


def queue_campaign(campaign_id: int, batch_size: int, trace: bool) -> dict:
    """Queue the campaign to everyone, a batch per commit (as `flask mailing dispatch`), with
    a measure every CHECKPOINT messages."""
    checkpoints = []
    queued = 0
    next_checkpoint = CHECKPOINT
    if trace:
        tracemalloc.start()
    started = last_time = time.perf_counter()
    started_cpu = cpu_seconds()
    last_queued = 0
    campaign = db.session.get(Campaign, campaign_id)
    while True:
        count = queue_batch(campaign, utcnow(), batch_size)
        db.session.commit()
        queued += count
        if queued >= next_checkpoint or (count == 0 and queued > last_queued):
            now = time.perf_counter()
            point = {
                "queued": queued,
                "seconds": round(now - started, 2),
                "messages_per_second_since_last": round((queued - last_queued) / (now - last_time)),
                "rss_mb": round(rss_mb(), 1),
                "max_rss_mb": round(max_rss_mb(), 1),
                "identity_map": len(db.session.identity_map),
            }
            if trace:
                current, peak = tracemalloc.get_traced_memory()
                point["traced_current_mb"] = round(current / 2**20, 2)
                point["traced_peak_mb"] = round(peak / 2**20, 2)  # since the last checkpoint
                tracemalloc.reset_peak()
            checkpoints.append(point)
            last_time, last_queued = now, queued
            next_checkpoint += CHECKPOINT
        if count == 0:
            break
    seconds = time.perf_counter() - started
    if trace:
        tracemalloc.stop()
    return {
        "queued": queued,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds() - started_cpu, 2),
        "messages_per_second": round(queued / seconds),
        "status": db.session.get(Campaign, campaign_id).status,
        "checkpoints": checkpoints,
    }


def start_sink() -> tuple[subprocess.Popen, int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.mailing", "--sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
    )
    line = process.stdout.readline().split()
    if not line or line[0] != "ready":
        process.kill()
        raise SystemExit("bench: the SMTP sink did not start")
    return process, int(line[1])


def stop_sink(process: subprocess.Popen) -> int:
    """Stop the sink; the number of messages it accepted."""
    output, _ = process.communicate(input="", timeout=30)
    return int(output.split()[-1])


def deliver(target: int) -> dict:
    """`deliver_due()` in a loop (as `flask mail work`) until `target` messages are sent."""
    checkpoints = []
    sent = failed = 0
    next_checkpoint = DELIVERY_CHECKPOINT
    started = last_time = time.perf_counter()
    started_cpu = cpu_seconds()
    last_sent = 0
    while sent < target:
        batch_sent, batch_failed = deliver_due()
        sent, failed = sent + batch_sent, failed + batch_failed
        if batch_failed or not batch_sent:
            raise SystemExit(f"bench: delivery stopped ({batch_sent} sent, {batch_failed} not)")
        if sent >= next_checkpoint:
            now = time.perf_counter()
            checkpoints.append(
                {
                    "sent": sent,
                    "messages_per_second_since_last": round((sent - last_sent) / (now - last_time)),
                    "rss_mb": round(rss_mb(), 1),
                }
            )
            last_time, last_sent = now, sent
            next_checkpoint += DELIVERY_CHECKPOINT
    seconds = time.perf_counter() - started
    return {
        "sent": sent,
        "failed": failed,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds() - started_cpu, 2),
        "messages_per_second": round(sent / seconds),
        "checkpoints": checkpoints,
    }


def run_sink() -> int:
    """The SMTP sink: counts what it accepts; prints its port, then the count at the end."""
    from aiosmtpd.controller import Controller

    class Counter:
        count = 0

        async def handle_DATA(self, server, session, envelope):
            self.count += len(envelope.rcpt_tos)
            return "250 2.0.0 OK"

    handler = Counter()
    with socket.socket() as probe:  # a free port (aiosmtpd needs to know it beforehand)
        probe.bind((HOST, 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname=HOST, port=port)
    controller.start()
    print("ready", controller.port, flush=True)
    sys.stdin.read()  # until the benchmark closes our input
    controller.stop()
    print(handler.count, flush=True)
    return 0


def print_report(results: dict) -> None:
    print(f"\nSubscribers: {results['subscribers']:,} (inserted in {results['insert_seconds']} s)")
    print(f"Load average before / after: {results['load_before']} / {results['load_after']}")
    for name in ("queue", "queue_traced"):
        run = results[name]
        title = "Queueing, tracemalloc on" if name == "queue_traced" else "Queueing"
        print(
            f"\n{title}: {run['queued']:,} messages in {run['seconds']} s "
            f"({run['messages_per_second']:,}/s, {run['cpu_seconds']} s CPU), "
            f"campaign {run['status']}"
        )
        traced = name == "queue_traced"
        header = "| queued | msg/s since last | RSS MB | max RSS MB | identity map |"
        print(header + (" traced now MB | traced peak MB |" if traced else ""))
        print("|---:" * (7 if traced else 5) + "|")
        for point in run["checkpoints"]:
            line = (
                f"| {point['queued']:,} | {point['messages_per_second_since_last']:,} "
                f"| {point['rss_mb']} | {point['max_rss_mb']} | {point['identity_map']} |"
            )
            if traced:
                line += f" {point['traced_current_mb']} | {point['traced_peak_mb']} |"
            print(line)
    run = results["delivery"]
    print(
        f"\nDelivery: {run['sent']:,} messages in {run['seconds']} s "
        f"({run['messages_per_second']:,}/s, {run['cpu_seconds']} s CPU in this process); "
        f"the sink counted {results['sink_count']:,}"
    )
    print("| sent | msg/s since last | RSS MB |\n|---:|---:|---:|")
    for point in run["checkpoints"]:
        print(
            f"| {point['sent']:,} | {point['messages_per_second_since_last']:,} "
            f"| {point['rss_mb']} |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--deliver", type=int, default=20_000, help="messages to deliver")
    parser.add_argument("--queue-batch", type=int, default=500, help="recipients per commit")
    parser.add_argument("--outbox-batch", type=int, default=100, help="MAIL_BATCH_SIZE")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite file")
    parser.add_argument("--sink", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.sink:
        return run_sink()

    folder = Path(tempfile.mkdtemp(prefix="cta-bench-mailing-"))
    sink, port = start_sink()
    try:
        app = create_app(
            {
                "DATABASE_URL": sqlite_url(str(folder / "mailing.sqlite")),
                "PUBLIC_URL": "https://learning.example.org",
                "SMTP_HOST": HOST,
                "SMTP_PORT": port,
                "SMTP_STARTTLS": False,
                "SMTP_TIMEOUT": 10,
                "MAIL_BATCH_SIZE": options.outbox_batch,
            }
        )
        results: dict = {
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "subscribers": options.subscribers,
            "queue_batch": options.queue_batch,
            "outbox_batch": options.outbox_batch,
            "load_before": [round(value, 2) for value in os.getloadavg()],
        }
        with app.app_context():
            # The schema from the models, as the tests build it (the migrations create the
            # same tables and indexes, see migrations/versions/).
            db.create_all()
            results["insert_seconds"] = round(add_subscribers(options.subscribers), 2)
            results["rss_before_queue_mb"] = round(rss_mb(), 1)
            # The figures without tracemalloc (it slows allocation down), then a second
            # campaign to the same list with it, for the Python heap.
            results["queue"] = queue_campaign(new_campaign(), options.queue_batch, trace=False)
            results["queue_traced"] = queue_campaign(
                new_campaign(), options.queue_batch, trace=True
            )
            # The first campaign's messages come first (the worker takes them by id).
            results["delivery"] = deliver(min(options.deliver, options.subscribers))
            db.engine.dispose()
        results["load_after"] = [round(value, 2) for value in os.getloadavg()]
    finally:
        results_sink = stop_sink(sink)
        if options.keep:
            print(f"SQLite file kept: {folder / 'mailing.sqlite'}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    results["sink_count"] = results_sink
    RESULTS_PATH.parent.mkdir(exist_ok=True)
    RESULTS_PATH.write_text(json.dumps(results, indent=2) + "\n")
    print_report(results)
    print(f"\nFigures written to {RESULTS_PATH.relative_to(PROJECT_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
