"""Campaigns: written per language by admins, queued through the outbox for the subscribers of
their topics, paused and resumed, delivered with retries, archived, and exported."""

import csv
import io
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from cta_learning.community.mailing import campaigns as campaign_operations
from cta_learning.community.mailing import cli as mailing_cli
from cta_learning.community.mailing.models import Campaign, CampaignRecipient, Subscriber
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.delivery import _record_failure, deliver_due
from cta_learning.mail.models import OutboxMessage
from tests.actions.helpers import make_action
from tests.community.mailing.helpers import (
    campaign_form,
    campaign_messages,
    load_campaign,
    make_subscriber,
    preferences_path,
    send_now,
    subscriber,
    unsubscribe_path,
    write_campaign,
)
from tests.conftest import count, outbox
from tests.hostile import nothing_changes, page_text
from tests.servers import free_port

REFUSED = "gone@bounce.example.org"


class Inbox:
    """An SMTP server's handler: refuses REFUSED for good (550), keeps everything else."""

    def __init__(self):
        self.messages = []
        self.temporary_failure = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 No such user"
        if self.temporary_failure:
            return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.extend((to, message) for to in envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(
        SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False, SMTP_TIMEOUT=5
    )
    yield inbox
    controller.stop()


def deliver(app) -> tuple[int, int]:
    with app.app_context():
        return deliver_due()


def statuses(app, campaign_id: int) -> dict[str, str]:
    """The outbox status of each recipient's message."""
    return {m.to_address: m.status for m in campaign_messages(app, campaign_id)}


# --- writing, previewing, testing and sending --------------------------------------------


def test_each_subscriber_gets_one_message_in_their_language(app, client, auth):
    make_subscriber(app, "ana@bogota.example.org", "es", topics=["global_processes", "events"])
    make_subscriber(app, "awa@dakar.example.org", "fr")
    make_subscriber(app, "bob@leeds.example.org", "en", topics=["events"])
    make_subscriber(app, "cleo@lyon.example.org", "fr", topics=["cities_fund"])  # not these
    make_subscriber(app, "left@lyon.example.org", status="unsubscribed", unsubscribed_at=utcnow())
    make_subscriber(app, "unsure@lyon.example.org", status="pending")
    make_subscriber(app, "bounced@lyon.example.org", hard_bounces=3, suppressed_at=utcnow())
    auth.login_as("admin", email="admin@example.org")
    campaign_id = write_campaign(
        client,
        body_en="Local governments **speak**.\n\n<script>alert(1)</script> & more",
        topics=["global_processes", "events"],
    )
    assert load_campaign(app, campaign_id).status == "draft"
    assert outbox(app) == []  # written is not sent
    send_now(client, campaign_id)

    campaign = load_campaign(app, campaign_id)
    assert campaign.status == "sent" and campaign.queued_count == 3
    messages = {m.to_address: m for m in campaign_messages(app, campaign_id)}
    assert sorted(messages) == [
        "ana@bogota.example.org",
        "awa@dakar.example.org",
        "bob@leeds.example.org",
    ]
    assert len(outbox(app)) == 3  # exactly one each, nothing for the others
    assert count(app, CampaignRecipient, campaign_id=campaign_id) == 3
    french, spanish, english = (
        messages["awa@dakar.example.org"],
        messages["ana@bogota.example.org"],
        messages["bob@leeds.example.org"],
    )
    assert french.subject == "Le FIEM approche" and french.locale == "fr"
    assert "<strong>prennent la parole</strong>" in french.body_html
    assert '<html lang="fr">' in french.body_html
    # No Spanish version: the English one, still with Spanish as the message's language.
    assert spanish.subject == english.subject == "The IMRF is coming"
    assert spanish.locale == "es" and "<strong>speak</strong>" in spanish.body_html
    # ...its body marked as English inside the Spanish frame (an Arabic one: and left to right).
    assert '<div lang="en"><p>Local governments' in spanish.body_html
    assert '<html lang="es">' in spanish.body_html
    assert '<div lang="en"' not in english.body_html
    # HTML from sanitised Markdown; the text version keeps the Markdown as written.
    assert "<script>" not in english.body_html and "&lt;script&gt;" in english.body_html
    assert "Local governments **speak**." in english.body_text
    assert "& more" in english.body_text and "&amp;" not in english.body_text
    for message in messages.values():
        assert message.status == "queued" and message.category == "mailing"
        assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        path = unsubscribe_path(message)
        assert path in message.body_text and path in message.body_html
        assert preferences_path(message) in message.body_html
    # Each message carries its own recipient's links.
    assert len({unsubscribe_path(m) for m in messages.values()}) == 3
    # The admin's page counts what was queued.
    page = page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}"))
    assert "<dd>Sending" in page and "queued" in page  # every recipient queued, none delivered


def test_an_arabic_subscriber_gets_the_arabic_version_right_to_left(app, client, auth):
    make_subscriber(app, "layla@amman.example.org", "ar")
    auth.login_as("admin", email="admin@example.org")
    campaign_id = write_campaign(
        client,
        subject_ar="المنتدى الدولي لاستعراض الهجرة يقترب",
        body_ar="الحكومات المحلية **تتحدث** في المنتدى.",
    )
    send_now(client, campaign_id)
    [message] = campaign_messages(app, campaign_id)
    assert message.subject == "المنتدى الدولي لاستعراض الهجرة يقترب" and message.locale == "ar"
    assert '<html lang="ar" dir="rtl">' in message.body_html
    assert (
        "<strong>تتحدث</strong>" in message.body_html and '<div lang="en"' not in message.body_html
    )
    visitor = app.test_client()
    archived = visitor.get(f"/mailing/archive/campaigns/{campaign_id}?lang=ar").text
    assert '<div class="description">' in archived and "<strong>تتحدث</strong>" in archived
    in_english = visitor.get(f"/mailing/archive/campaigns/{campaign_id}?lang=es").text
    assert '<div class="description" lang="en">' in in_english  # no Spanish version


def test_a_campaign_is_sending_until_its_messages_leave_the_outbox(app, client, auth, smtp):
    make_subscriber(app, "awa@dakar.example.org", "fr")
    make_subscriber(app, "bob@leeds.example.org", "en")
    auth.login_as("admin")
    campaign_id = write_campaign(client, subject_en="Spring news")
    send_now(client, campaign_id)
    assert load_campaign(app, campaign_id).status == "sent"  # every recipient queued
    listing = page_text(client.get("/admin/mailing/"))
    assert "<td>Sending</td>" in listing and "<td>Sent</td>" not in listing
    assert "<dd>Sending" in page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}"))
    assert deliver(app) == (2, 0)
    assert "<td>Sent</td>" in page_text(client.get("/admin/mailing/"))
    assert "<dd>Sent" in page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}"))


def test_preview_in_each_language_and_a_test_to_oneself(app, client, auth):
    make_subscriber(app, "awa@dakar.example.org", "fr")
    admin = auth.login_as("admin", email="admin@example.org", locale="fr")
    campaign_id = write_campaign(client, body_en="Read **this**.\n\n<script>alert(1)</script>")
    page = client.get(f"/admin/mailing/campaigns/{campaign_id}?preview=fr")
    assert page.status_code == 200
    assert "Le FIEM approche" in page_text(page)
    english = page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}?preview=en"))
    assert "The IMRF is coming" in english
    # The preview sits in a sandboxed frame; the script is escaped, never live.
    assert "<script>alert(1)" not in client.get(
        f"/admin/mailing/campaigns/{campaign_id}?preview=en"
    ).get_data(as_text=True)
    spanish = client.get(f"/admin/mailing/campaigns/{campaign_id}?preview=es")
    assert spanish.status_code == 200 and "The IMRF is coming" in page_text(spanish)
    assert client.get(f"/admin/mailing/campaigns/{campaign_id}?preview=de").status_code == 404

    response = client.post(f"/admin/mailing/campaigns/{campaign_id}/test")
    assert response.status_code == 302
    [test] = outbox(app)
    assert test.to_address == admin.email and test.category == "mailing-test"
    assert "Le FIEM approche" in test.subject and test.subject.startswith("[")
    assert test.batch is None and test.headers == {}
    assert "/mailing/unsubscribe/" not in test.body_text  # no subscriber's link in a test
    assert load_campaign(app, campaign_id).status == "draft"  # a test sends nothing else
    assert count(app, CampaignRecipient) == 0


def test_the_personal_link_shows_a_button_and_unsubscribes_on_post(app, client, auth):
    make_subscriber(app, "awa@dakar.example.org", "fr")
    make_subscriber(app, "ibou@dakar.example.org", "fr")
    auth.login_as("admin")
    send_now(client, write_campaign(client))
    auth.logout()
    message = outbox(app, to="awa@dakar.example.org")[0]
    link = unsubscribe_path(message)
    with nothing_changes(app):
        page = client.get(link)
    assert page.status_code == 200
    assert "Stop sending the mailing list to awa@dakar.example.org?" in page_text(page)
    assert '<form method="post">' in page.get_data(as_text=True)
    assert client.get(preferences_path(message)).status_code == 200
    response = client.post(link)
    assert response.status_code == 200 and "You are unsubscribed" in page_text(response)
    awa = subscriber(app, "awa@dakar.example.org")
    assert awa.status == "unsubscribed" and awa.unsubscribe_source == "page"
    assert awa.unsubscribed_at is not None
    assert subscriber(app, "ibou@dakar.example.org").status == "subscribed"  # only her link
    # A second click changes nothing and says so.
    with nothing_changes(app):
        again = client.get(link)
    assert "is not subscribed" in page_text(again)


def test_members_only_campaigns_by_region_and_priority_area(app, client, auth, make):
    owner_a, africa = make.member(make.organisation(), email="owner@dakar.example.org")
    make.member(africa, role="member", email="member@dakar.example.org")
    europe = make.organisation(country="FR", region="europe")
    owner_b, _ = make.member(europe, email="owner@lyon.example.org")
    make_action(app, africa, owner_a, status="submitted", priorities=[3])
    make_action(app, europe, owner_b, status="submitted", priorities=[5])
    owner_c, _ = make.member(email="owner@accra.example.org")  # africa, not unlocked
    make_subscriber(app, "owner@accra.example.org", user_id=owner_c.id)  # not unlocked
    make_subscriber(app, "public@example.org")  # not a member
    assert count(app, Subscriber, status="subscribed") == 5
    auth.login_as("admin")

    def recipients(**form) -> list[str]:
        campaign_id = write_campaign(client, **{"audience": "members", **form})
        send_now(client, campaign_id)
        return sorted(m.to_address for m in campaign_messages(app, campaign_id))

    africa_and_europe = ["member@dakar.example.org", "owner@dakar.example.org"]
    assert recipients() == [*africa_and_europe, "owner@lyon.example.org"]
    assert recipients(region="africa") == africa_and_europe
    assert recipients(priority_id="5") == ["owner@lyon.example.org"]
    assert recipients(region="africa", priority_id="3") == africa_and_europe
    assert recipients(region="africa", priority_id="5") == []
    # Everyone of the topics, members or not (the locked organisation's member included).
    assert len(recipients(audience="subscribers")) == 5
    # The filters only apply to members: an audience of all subscribers ignores them.
    campaign_id = write_campaign(client, region="europe", priority_id="5")
    assert load_campaign(app, campaign_id).region is None


# --- scheduling and the mailing worker ----------------------------------------------------


def dispatch(app, *args):
    result = app.test_cli_runner().invoke(args=["mailing", "dispatch", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_a_scheduled_campaign_waits_then_is_queued_in_batches(app, client, auth, monkeypatch):
    for n in range(5):
        make_subscriber(app, f"person{n}@example.org", "fr" if n % 2 else "en")
    auth.login_as("admin", timezone="Africa/Dakar")
    campaign_id = write_campaign(client)
    later = (date.today() + timedelta(days=10)).isoformat()
    response = client.post(
        f"/admin/mailing/campaigns/{campaign_id}/schedule",
        data={"when": "later", "date": later, "time": "09:00"},
    )
    assert response.status_code == 302
    campaign = load_campaign(app, campaign_id)
    assert campaign.status == "scheduled"
    assert campaign.scheduled_at.isoformat() == f"{later}T09:00:00"  # Dakar is UTC
    assert dispatch(app, "--batch-size", "2") == ""
    assert outbox(app) == []  # not due yet

    with app.app_context():
        db.session.get(Campaign, campaign_id).scheduled_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    batches = []

    def counting(campaign, now, size):
        queued = campaign_operations.queue_batch(campaign, now, size)
        batches.append(queued)
        return queued

    monkeypatch.setattr(mailing_cli, "queue_batch", counting)
    output = dispatch(app, "--batch-size", "2")
    assert f"campaign {campaign_id}: 5 messages queued (sent)" in output
    assert batches == [2, 2, 1, 0]
    messages = campaign_messages(app, campaign_id)
    assert sorted(m.to_address for m in messages) == [f"person{n}@example.org" for n in range(5)]
    # Queued from the command line too, each in the recipient's language with working links.
    french = next(m for m in messages if m.to_address == "person1@example.org")
    assert french.subject == "Le FIEM approche" and '<html lang="fr">' in french.body_html
    assert client.get(unsubscribe_path(french)).status_code == 200
    campaign = load_campaign(app, campaign_id)
    assert campaign.status == "sent" and campaign.queued_count == 5 and campaign.sent_at
    assert dispatch(app, "--batch-size", "2") == ""
    assert len(outbox(app)) == 5


def test_queueing_stops_and_starts_again_without_doubling(app, client, auth):
    for n in range(5):
        make_subscriber(app, f"person{n}@example.org")
    admin = auth.login_as("admin")
    campaign_id = write_campaign(client)
    with app.test_request_context():
        campaign = db.session.get(Campaign, campaign_id)
        campaign_operations.schedule(campaign, utcnow(), admin)
        assert campaign_operations.queue_batch(campaign, utcnow(), 2) == 2
        db.session.commit()
    assert load_campaign(app, campaign_id).status == "sending"
    # Paused half-way: the queued two are held, the rest is not queued.
    assert client.post(f"/admin/mailing/campaigns/{campaign_id}/pause").status_code == 302
    assert set(statuses(app, campaign_id).values()) == {"held"}
    assert dispatch(app) == ""
    assert len(outbox(app)) == 2
    # Someone subscribes meanwhile: they are included when it resumes.
    make_subscriber(app, "latecomer@example.org")
    assert client.post(f"/admin/mailing/campaigns/{campaign_id}/resume").status_code == 302
    assert set(statuses(app, campaign_id).values()) == {"queued"}
    assert "4 messages queued (sent)" in dispatch(app)
    assert len(campaign_messages(app, campaign_id)) == 6
    assert len({m.to_address for m in outbox(app)}) == 6


def test_pause_holds_the_messages_and_the_worker_sends_none_until_resumed(app, client, auth, smtp):
    for n in range(3):
        make_subscriber(app, f"person{n}@example.org")
    auth.login_as("admin", email="admin@example.org")
    campaign_id = write_campaign(client)
    send_now(client, campaign_id)
    assert load_campaign(app, campaign_id).status == "sent"  # queued for everyone
    page = client.get(f"/admin/mailing/campaigns/{campaign_id}").get_data(as_text=True)
    assert f"/admin/mailing/campaigns/{campaign_id}/pause" in page  # messages still wait
    assert client.post(f"/admin/mailing/campaigns/{campaign_id}/pause").status_code == 302
    assert load_campaign(app, campaign_id).status == "paused"
    assert set(statuses(app, campaign_id).values()) == {"held"}
    assert "Held (paused)" in page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}"))
    assert deliver(app) == (0, 0)
    assert smtp.messages == []
    # Nothing to pause twice, nothing to resume that is not paused.
    with nothing_changes(app):
        assert client.post(f"/admin/mailing/campaigns/{campaign_id}/pause").status_code == 409
    assert client.post(f"/admin/mailing/campaigns/{campaign_id}/resume").status_code == 302
    campaign = load_campaign(app, campaign_id)
    assert campaign.status == "sent" and campaign.queued_count == 3
    assert set(statuses(app, campaign_id).values()) == {"queued"}
    with nothing_changes(app):
        assert client.post(f"/admin/mailing/campaigns/{campaign_id}/resume").status_code == 409
    assert deliver(app) == (3, 0)
    assert sorted(to for to, _ in smtp.messages) == [f"person{n}@example.org" for n in range(3)]
    _, delivered = smtp.messages[0]
    assert delivered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert delivered["List-Unsubscribe"].startswith("<https://learning.example.org/mailing/")
    # Everything has left: there is nothing more to pause.
    with nothing_changes(app):
        response = client.post(f"/admin/mailing/campaigns/{campaign_id}/pause")
    assert response.status_code == 409
    assert "Every message of this campaign has left already." in page_text(response)


def test_unsubscribing_withdraws_queued_and_held_messages(app, client, auth, smtp):
    for name in ("awa", "ibou", "omar"):
        make_subscriber(app, f"{name}@dakar.example.org")
    auth.login_as("admin")
    first, second = write_campaign(client), write_campaign(client, subject_en="Second")
    send_now(client, first)
    send_now(client, second)
    client.post(f"/admin/mailing/campaigns/{second}/pause")
    auth.logout()
    # One-click from the mail program (RFC 8058): no page, no form token.
    link = unsubscribe_path(outbox(app, to="awa@dakar.example.org")[0])
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    awa = subscriber(app, "awa@dakar.example.org")
    assert awa.status == "unsubscribed" and awa.unsubscribe_source == "one-click"
    for campaign_id in (first, second):
        [withdrawn] = campaign_messages(app, campaign_id, to="awa@dakar.example.org")
        assert withdrawn.status == "failed" and "withdrawn" in withdrawn.last_error
    auth.login_as("admin")
    client.post(f"/admin/mailing/campaigns/{second}/resume")
    assert statuses(app, second)["awa@dakar.example.org"] == "failed"
    assert deliver(app) == (4, 0)
    assert sorted(to for to, _ in smtp.messages) == sorted(
        ["ibou@dakar.example.org", "omar@dakar.example.org"] * 2
    )
    # A later campaign leaves her out.
    third = write_campaign(client)
    send_now(client, third)
    assert "awa@dakar.example.org" not in statuses(app, third)


# --- failures, retries and suppression -----------------------------------------------------


def test_three_hard_bounces_suppress_the_address(app, client, auth, smtp):
    make_subscriber(app, REFUSED)
    make_subscriber(app, "awa@dakar.example.org")
    auth.login_as("admin")
    for attempt in range(1, 4):
        campaign_id = write_campaign(client, subject_en=f"News {attempt}")
        send_now(client, campaign_id)
        assert deliver(app) == (1, 1)
        [failed] = campaign_messages(app, campaign_id, to=REFUSED)
        assert failed.status == "failed" and failed.attempts == 1  # no retry for a 550
        assert "550" in failed.last_error
        gone = subscriber(app, REFUSED)
        assert gone.hard_bounces == attempt
        assert (gone.suppressed_at is not None) == (attempt == 3)
    page = page_text(client.get(f"/admin/mailing/campaigns/{campaign_id}"))
    assert "Not delivered" in page and REFUSED in page and "No such user" in page
    later = write_campaign(client, subject_en="Later")
    send_now(client, later)
    assert list(statuses(app, later)) == ["awa@dakar.example.org"]
    assert subscriber(app, REFUSED).status == "subscribed"  # suppressed, not unsubscribed
    csv_text = client.get("/admin/mailing/subscribers.csv").get_data(as_text=True)
    [row] = [r for r in csv.DictReader(io.StringIO(csv_text)) if r["email"] == REFUSED]
    assert row["hard_bounces"] == "3" and row["suppressed_at"].endswith("Z")


def test_a_permanent_failure_of_another_message_is_not_a_campaign_bounce(app):
    make_subscriber(app, REFUSED)
    with app.app_context():
        for _ in range(3):
            message = OutboxMessage(
                category="account", to_address=REFUSED, subject="Hi", body_text="Hi", body_html=""
            )
            db.session.add(message)
            db.session.flush()
            _record_failure(message, OSError("550 no such user"), permanent=True)
        db.session.commit()
    gone = subscriber(app, REFUSED)
    assert gone.hard_bounces == 0 and gone.suppressed_at is None


def test_a_temporary_refusal_is_retried_later_and_not_counted(app, client, auth, smtp):
    make_subscriber(app, "awa@dakar.example.org")
    auth.login_as("admin")
    campaign_id = write_campaign(client)
    send_now(client, campaign_id)
    smtp.temporary_failure = True
    assert deliver(app) == (0, 1)
    [waiting] = campaign_messages(app, campaign_id)
    assert waiting.status == "queued" and waiting.attempts == 1 and "450" in waiting.last_error
    assert waiting.next_attempt_at > utcnow()  # backoff
    assert subscriber(app, "awa@dakar.example.org").hard_bounces == 0
    smtp.temporary_failure = False
    assert deliver(app) == (0, 0)  # not due yet
    with app.app_context():
        db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
        db.session.commit()
    assert deliver(app) == (1, 0)
    assert statuses(app, campaign_id) == {"awa@dakar.example.org": "sent"}


# --- archive, export and changes once sent ------------------------------------------------


def test_the_archive_shows_sent_campaigns_per_topic(app, client, auth):
    make_subscriber(app, "awa@dakar.example.org", topics=["events", "global_processes"])
    auth.login_as("admin")
    sent = write_campaign(client, topics=["events"], body_en="Come **along**.<script>x</script>")
    send_now(client, sent)
    draft = write_campaign(client, subject_en="Not yet", topics=["events"])
    auth.logout()
    everything = page_text(client.get("/mailing/archive/"))
    assert "The IMRF is coming" in everything and "Not yet" not in everything
    events = client.get("/mailing/archive/events/")
    assert events.status_code == 200 and "The IMRF is coming" in page_text(events)
    fund = page_text(client.get("/mailing/archive/cities_fund/"))
    assert "The IMRF is coming" not in fund and "No message has been sent" in fund
    assert client.get("/mailing/archive/nope/").status_code == 404
    page = client.get(f"/mailing/archive/campaigns/{sent}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<strong>along</strong>" in html
    assert "<script>x" not in html
    assert client.get(f"/mailing/archive/campaigns/{draft}").status_code == 404
    assert client.get("/mailing/archive/campaigns/999999").status_code == 404
    french = page_text(client.get(f"/mailing/archive/campaigns/{sent}?lang=fr"))
    assert "Le FIEM approche" in french


def test_members_only_campaigns_stay_out_of_the_public_archive(app, client, auth):
    auth.login_as("admin")
    members_only = write_campaign(client, subject_en="For members", audience="members")
    send_now(client, members_only)
    assert load_campaign(app, members_only).status == "sent"
    auth.logout()
    assert "For members" not in page_text(client.get("/mailing/archive/"))
    assert client.get(f"/mailing/archive/campaigns/{members_only}").status_code == 404


def test_the_subscribers_export_has_the_consent_and_no_formulas(app, client, auth, make):
    member, organisation = make.member(email="owner@dakar.example.org")
    action_id = make_action(app, organisation, member, status="submitted")
    make_subscriber(app, "cells@example.org", name='=HYPERLINK("http://x")', topics=["events"])
    auth.login_as("admin")
    response = client.get("/admin/mailing/subscribers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = {r["email"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    unlocked = rows["owner@dakar.example.org"]
    assert unlocked["consent_source"] == "unlock"
    assert unlocked["consent_organisation_id"] == str(organisation.id)
    assert unlocked["consent_action_id"] == str(action_id)
    assert unlocked["consented_at"].endswith("Z") and unlocked["opt_in_ip"] == ""
    signed_up = rows["cells@example.org"]
    assert signed_up["consent_source"] == "signup" and signed_up["opt_in_ip"] == "192.0.2.1"
    assert signed_up["opt_in_at"].endswith("Z") and signed_up["topics"] == "events"
    assert signed_up["name"] == '\'=HYPERLINK("http://x")'  # a cell, never a formula
    assert signed_up["status"] == "subscribed" and signed_up["language"] == "en"


def test_a_campaign_that_has_started_cannot_be_changed(app, client, auth):
    make_subscriber(app, "awa@dakar.example.org")
    auth.login_as("admin")
    campaign_id = write_campaign(client)
    # A draft can be changed, languages removed included.
    response = client.post(
        f"/admin/mailing/campaigns/{campaign_id}/edit",
        data=campaign_form(subject_en="Changed", subject_fr="", body_fr=""),
    )
    assert response.status_code == 302
    draft = load_campaign(app, campaign_id)
    assert draft.subjects == {"en": "Changed"} and set(draft.bodies) == {"en"}
    send_now(client, campaign_id)
    with nothing_changes(app):
        response = client.post(
            f"/admin/mailing/campaigns/{campaign_id}/edit",
            data=campaign_form(subject_en="Too late"),
        )
    assert response.status_code == 409
    assert "A campaign that has started sending cannot be changed." in page_text(response)
    with nothing_changes(app):
        response = client.post(
            f"/admin/mailing/campaigns/{campaign_id}/schedule", data={"when": "now"}
        )
    assert response.status_code == 409
    assert load_campaign(app, campaign_id).subjects == {"en": "Changed"}
    assert len(outbox(app)) == 1


def test_the_admin_overview_counts_subscribers_and_lists_campaigns(app, client, auth):
    make_subscriber(app, "awa@dakar.example.org", topics=["events"])
    make_subscriber(app, "ana@bogota.example.org", status="pending")
    auth.login_as("admin")
    write_campaign(client, subject_en="Spring news")
    page = page_text(client.get("/admin/mailing/"))
    assert "Spring news" in page and "Draft" in page
    assert "<dt>Subscribed</dt><dd>1</dd>" in page
    assert "<dt>Awaiting confirmation</dt><dd>1</dd>" in page
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == "draft"
