"""Two worker processes on one database and one SMTP server (restarted once midway): every
message is delivered exactly once, on SQLite as on PostgreSQL."""

import json
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, insert, select

from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.conftest import TEST_CONFIG
from tests.mail.smtp import SmtpServer

MESSAGES = 300

# A worker like `flask mail work`, which stops once nothing is left queued. Retries come after
# one second instead of minutes, so that the restart of the server does not make the test wait.
WORKER = """
import json, sys, time
from datetime import timedelta
from sqlalchemy import func, select
from cta_learning import create_app
from cta_learning.extensions import db
from cta_learning.mail import delivery
from cta_learning.mail.models import OutboxMessage

delivery.retry_delay = lambda attempts: timedelta(seconds=1)
app = create_app(json.loads(sys.argv[1]))
deadline = time.monotonic() + 150
with app.app_context():
    while time.monotonic() < deadline:
        sent, failed = delivery.deliver_due()
        if sent:
            continue
        waiting = db.session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")
        )
        db.session.commit()
        if not waiting:
            sys.exit(0)
        time.sleep(0.05)
sys.exit(3)
"""


def add_messages(app, number: int) -> None:
    now = utcnow()
    with app.app_context():
        db.session.execute(
            insert(OutboxMessage),
            [
                {
                    "category": "account",
                    "to_address": f"reader{n:04d}@example.org",
                    "subject": f"Message {n}",
                    "body_text": "Hello",
                    "body_html": "<p>Hello</p>",
                    "headers": {},
                    "attachments": [],
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for n in range(number)
            ],
        )
        db.session.commit()


# The SMTP server is stopped on purpose while the workers are connected: aiosmtpd then leaves
# the server side of those connections to the garbage collector, which warns about them. That
# is the test's own server, not the code under test.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_two_workers_deliver_every_message_exactly_once(app):
    server = SmtpServer()
    server.start()
    add_messages(app, MESSAGES)
    config = {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": server.port,
        "SMTP_STARTTLS": False,
        "SMTP_TIMEOUT": 5,
        "MAIL_BATCH_SIZE": 10,
        "LOG_LEVEL": "WARNING",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 60
        while len(server.recorder.received) < MESSAGES // 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.restart(down_for=1.0)
        outputs = [worker.communicate(timeout=170)[0].decode() for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        server.stop()
    assert [worker.returncode for worker in workers] == [0, 0], outputs

    message_ids = server.recorder.message_ids()
    assert len(message_ids) == MESSAGES
    duplicates = {message_id: n for message_id, n in message_ids.items() if n > 1}
    assert duplicates == {}
    assert len(server.recorder.recipients()) == MESSAGES
    with app.app_context():
        statuses = dict(
            db.session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
        assert statuses == {"sent": MESSAGES}
        claims = db.session.scalars(select(OutboxMessage.claimed_by)).all()
        retried = db.session.scalar(
            select(func.count()).where(OutboxMessage.last_error.is_not(None))
        )
    assert retried, "the restart of the server interrupted the workers"
    processes = {claim.split(":")[1] for claim in claims}
    assert processes == {str(worker.pid) for worker in workers}  # both took part
